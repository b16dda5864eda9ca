"""积分 in the settings' timezone: the expiry day is the local day, and all of it is counted."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.wechat.simulator import Simulator, text_xml
from crm import customers, points
from crm.actors import SYSTEM
from crm.clock import SYSTEM_CLOCK, FrozenClock
from crm.config import PointsSettings
from tests.handlers.conftest import AppFactory
from tests.handlers.helpers import OPENID, content, oa_send


async def test_the_expiring_points_are_those_of_the_local_day(
    app_with: AppFactory, oa: Simulator
) -> None:
    client = await app_with(timezone="UTC")
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "积分", 51))
    customer = await customers.for_openid(OPENID)
    day = (SYSTEM_CLOCK.now() + timedelta(days=10)).date()
    late = datetime.combine(day, time(23, 30), UTC)  # same day as the next in Shanghai, not in UTC
    settings = PointsSettings(validity_days=30)
    for amount, expires_at in ((40, late), (60, late + timedelta(hours=1))):
        earned = FrozenClock(expires_at - timedelta(days=30))
        await points.earn(
            customer.id, amount, f"order:{amount}", clock=earned, settings=settings, actor=SYSTEM
        )
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "积分", 52))
    assert f"其中 40 分将于 {day.year}年{day.month}月{day.day}日 到期" in content(reply)
