"""积分 in the chat: the balance and the points that expire soonest."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator, text_xml
from crm import customers, points
from crm.actors import SYSTEM
from crm.clock import SYSTEM_CLOCK, FrozenClock
from crm.config import PointsSettings
from tests.webhooks.test_oa import post_safe


async def test_points_query_shows_balance_and_expiry(client: TestClient, oa: Simulator) -> None:
    _, reply = await post_safe(client, oa, text_xml("oPoints", oa.receiver, "积分", 31))
    assert reply is not None and "积分余额为 0 分" in str(reply["Content"])
    customer = await customers.for_openid("oPoints")
    await points.earn(customer.id, 1200, reference="order:A1", actor=SYSTEM)
    _, reply = await post_safe(
        client, oa, text_xml("oPoints", oa.receiver, "我的积分还有多少？", 32)
    )
    text = str(reply["Content"]) if reply else ""
    assert "积分余额为 1,200 分" in text and "到期" in text


async def test_points_past_their_date_are_not_offered_before_the_nightly_job(
    client: TestClient, oa: Simulator
) -> None:
    await post_safe(client, oa, text_xml("oLapsed", oa.receiver, "积分", 41))
    customer = await customers.for_openid("oLapsed")
    month_ago = FrozenClock(SYSTEM_CLOCK.now() - timedelta(days=31))
    settings = PointsSettings(validity_days=30)
    await points.earn(
        customer.id, 300, "order:L1", clock=month_ago, settings=settings, actor=SYSTEM
    )
    await points.earn(customer.id, 80, "order:L2", settings=settings, actor=SYSTEM)
    _, reply = await post_safe(client, oa, text_xml("oLapsed", oa.receiver, "积分", 42))
    text = str(reply["Content"]) if reply else ""
    assert "积分余额为 80 分。其中 80 分将于" in text
