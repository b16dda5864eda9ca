"""Two web processes sharing Redis take alternate messages of one complaint conversation:
the follow-up question asked by one is answered through the other, and a retry of the
answer delivered to the first process does not add it twice."""

from __future__ import annotations

from typing import Any

from bot.app import create_app
from bot.config import Settings
from bot.wechat.simulator import Simulator
from crm import caches
from crm.models import ComplaintHistory, ComplaintMessage
from tests.complaints.support import customer_says
from tests.complaints.test_chat_flow import OPENID, customer, number_in


async def test_two_processes_share_the_follow_up_question(
    aiohttp_client: Any, settings: Settings, redis_url: str, oa: Simulator
) -> None:
    caches.clear()
    shared = settings.model_copy(update={"redis_url": redis_url})
    first = await aiohttp_client(create_app(shared))
    second = await aiohttp_client(create_app(shared))
    await customer()
    asked = await customer_says(first, oa, OPENID, "我要投诉，快递三天还没到", 901)
    assert "订单号" in asked
    answered = await customer_says(second, oa, OPENID, "订单号 202612010001", 902)
    assert f"已补充到工单 {number_in(asked)}" in answered
    assert await customer_says(first, oa, OPENID, "订单号 202612010001", 902) == answered
    assert await ComplaintMessage.all().count() == 2
    assert await ComplaintHistory.filter(action="details").count() == 1
    after = await customer_says(first, oa, OPENID, "谢谢", 903)
    assert "工单" not in after
