"""Talking to the app as WeChat does: a customer on the Official Account, a staff member in
the WeCom app; waiting for the notifications sent off the reply's path."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator, text_xml
from handlers import complaints as complaint_handlers
from tests.handlers.helpers import content, oa_send, wecom_send


async def customer_says(
    client: TestClient, oa: Simulator, openid: str, text: str, msg_id: int
) -> str:
    _, reply = await oa_send(client, oa, text_xml(openid, oa.receiver, text, msg_id), openid)
    await complaint_handlers.drain()
    return content(reply)


async def staff_says(client: TestClient, wecom: Simulator, userid: str, text: str) -> str:
    _, reply = await wecom_send(client, wecom, text_xml(userid, wecom.receiver, text))
    return content(reply)
