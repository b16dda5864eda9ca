"""积分 in the chat: the balance and the points that expire soonest."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator, text_xml
from crm import customers, points
from crm.actors import SYSTEM
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
