"""A survey definition the tests share, and making customers to send it to."""

from __future__ import annotations

from typing import Any

from crm.models import Customer, Survey
from crm.surveys.definitions import create_survey, parse_definition

NPS_SURVEY: dict[str, Any] = {
    "name": "购物体验回访",
    "intro": "您好！占用您一分钟，想听听您对最近一次购物的感受。",
    "thanks": "感谢您的宝贵意见，我们会认真改进！",
    "questions": [
        {"type": "nps", "text": "您有多大可能把我们推荐给朋友？"},
        {"type": "csat", "text": "您对这次的物流满意吗？"},
        {"type": "single", "text": "您最常在哪里购物？", "options": ["小程序", "门店", "电商平台"]},
        {"type": "multi", "text": "您希望我们改进哪些方面？", "options": ["价格", "物流", "客服", "包装"]},
        {"type": "text", "text": "还有什么想对我们说的吗？", "skip_if": {"question": 1, "answer_in": [9, 10]}},
    ],
}  # fmt: skip


async def nps_survey(**changes: Any) -> Survey:
    return await create_survey(parse_definition({**NPS_SURVEY, **changes}))


async def customer(openid: str = "oSurvey001", **fields: Any) -> Customer:
    return await Customer.create(openid=openid, subscribed=True, **fields)
