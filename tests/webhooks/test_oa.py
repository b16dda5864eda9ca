"""The Official Account endpoint, end to end: real app, real database, WeChat's own XML."""

from __future__ import annotations

import asyncio
import time

from aiohttp.test_utils import TestClient

from bot.keys import PIPELINE
from bot.wechat.crypto import signature
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, event_xml, text_xml
from crm.models import Customer, Interaction
from handlers.context import Context
from handlers.filters import TextIn
from handlers.router import Router
from handlers.types import Reply
from tests.handlers.support import route_first

OPENID = "oCustomer001"


async def post_safe(
    client: TestClient, oa: Simulator, xml: str
) -> tuple[int, dict[str, object] | None]:
    request = oa.oa_safe(xml, openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    body = await resp.read()
    return resp.status, (oa.read_reply(body) if resp.status == 200 else None)


async def test_url_verification_echoes(client: TestClient, oa: Simulator) -> None:
    ts, nonce = str(int(time.time())), "n0nce"
    params = {
        "signature": signature(oa.crypto.token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "8061347152548196447",
    }
    resp = await client.get("/wechat/oa", params=params)
    assert resp.status == 200 and await resp.text() == "8061347152548196447"
    params["signature"] = "0" * 40
    assert (await client.get("/wechat/oa", params=params)).status == 403


async def test_safe_mode_text_gets_auto_reply_and_is_recorded(
    client: TestClient, oa: Simulator
) -> None:
    status, reply = await post_safe(
        client, oa, text_xml(OPENID, oa.receiver, "请问营业时间是？", 101)
    )
    assert status == 200 and reply is not None
    assert reply["Content"] == "每天 9:00–21:00 营业。"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == oa.receiver
    inbound = await Interaction.get(dedupe_key="msg:101")
    assert inbound.direction == "in" and inbound.content == "请问营业时间是？"
    assert inbound.payload and "<MsgId>101</MsgId>" in inbound.payload
    assert inbound.intent is not None and inbound.sentiment_label is not None
    outbound = await Interaction.get(dedupe_key="msg:101:reply")
    assert outbound.direction == "out" and outbound.content == "每天 9:00–21:00 营业。"
    customer = await Customer.get(openid=OPENID)
    assert customer.last_active_at is not None and inbound.customer_id == customer.id  # type: ignore[attr-defined]


async def test_retries_are_recorded_once_and_answered_alike(
    client: TestClient, oa: Simulator
) -> None:
    xml = text_xml(OPENID, oa.receiver, "你好，在吗", 202)
    first, second = await asyncio.gather(post_safe(client, oa, xml), post_safe(client, oa, xml))
    third = await post_safe(client, oa, xml)
    assert first[0] == second[0] == third[0] == 200
    assert first[1] is not None
    assert first[1]["Content"] == second[1]["Content"] == third[1]["Content"]  # type: ignore[index]
    assert await Interaction.filter(msg_id="202").count() == 1
    assert await Interaction.filter(dedupe_key="msg:202:reply").count() == 1


async def test_events_dedupe_by_sender_time_and_event(client: TestClient, oa: Simulator) -> None:
    xml = event_xml(OPENID, oa.receiver, "subscribe", "qrscene_spring")
    status, reply = await post_safe(client, oa, xml)
    assert status == 200 and reply is not None and "欢迎关注测试小店" in str(reply["Content"])
    await post_safe(client, oa, xml)
    assert await Interaction.filter(kind="event:subscribe").count() == 1
    customer = await Customer.get(openid=OPENID)
    assert customer.subscribed and customer.source_detail == "spring"
    status, reply = await post_safe(client, oa, event_xml(OPENID, oa.receiver, "unsubscribe"))
    assert status == 200 and reply is None
    assert not (await Customer.get(openid=OPENID)).subscribed


async def test_plaintext_mode(client: TestClient, oa: Simulator) -> None:
    request = oa.oa_plain(text_xml(OPENID, oa.receiver, "营业时间", 303), openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200
    assert "<![CDATA[每天 9:00–21:00 营业。]]>" in await resp.text()


async def test_compatible_mode_uses_encrypt(client: TestClient, oa: Simulator) -> None:
    xml = text_xml(OPENID, oa.receiver, "营业时间", 404)
    request = oa.oa_safe(xml, openid=OPENID)
    # compatible mode: the plain fields AND Encrypt in one body (the plain ones are ignored)
    body = request.body.replace(b"</xml>", b"<Content><![CDATA[forged]]></Content></xml>")
    resp = await client.post("/wechat/oa", params=request.params, data=body)
    reply = oa.read_reply(await resp.read())
    assert reply is not None and reply["Content"] == "每天 9:00–21:00 营业。"


async def test_unknown_message_type_is_recorded_and_answered_success(
    client: TestClient, oa: Simulator
) -> None:
    xml = text_xml(OPENID, oa.receiver, "x", 505).replace(
        "<![CDATA[text]]>", "<![CDATA[hologram]]>"
    )
    request = oa.oa_safe(xml, openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200 and await resp.text() == "success"
    assert await Interaction.filter(kind="hologram").count() == 1


async def test_reply_text_cannot_inject_xml(client: TestClient, oa: Simulator) -> None:
    hostile = "x]]></Content><Injected>1</Injected><Content><![CDATA[y"
    status, reply = await post_safe(client, oa, text_xml(OPENID, oa.receiver, hostile, 606))
    assert status == 200 and reply is not None and "Injected" not in reply
    assert (await Interaction.get(dedupe_key="msg:606")).content == hostile


async def test_late_handler_answers_success_and_pushes_later(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    """Past the time budget (1 s in the test config) WeChat gets "success" at once and the
    reply goes out through the customer-service API when the handler finishes."""

    slow = Router("slow")

    @slow.message(TextIn("随便聊聊"))
    async def slow_answer(ctx: Context) -> Reply:
        await asyncio.sleep(1.3)
        return ctx.reply("久等了，这是您的回复。")

    route_first(client, slow)
    pipeline = client.app[PIPELINE]
    started = time.monotonic()
    request = oa.oa_safe(text_xml(OPENID, oa.receiver, "随便聊聊", 707), openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert await resp.text() == "success" and time.monotonic() - started < 1.25
    await pipeline.drain()
    assert fake_wechat.sent_texts(OPENID) == ["久等了，这是您的回复。"]
    assert await Interaction.filter(kind="push:text").count() == 1


async def test_messages_from_a_merged_away_record_land_on_the_survivor(client: TestClient, oa: Simulator) -> None:
    from crm import caches
    from crm.merge import merge_customers

    survivor = await Customer.create(openid="oSurvivor", phone="+8613800138000")
    duplicate = await Customer.create(openid="oDuplicate", phone="+8613800138000")
    await merge_customers(survivor.id, duplicate.id, reason="same phone")
    caches.clear()
    await post_safe(client, oa, text_xml("oDuplicate", oa.receiver, "你好", 808))
    row = await Interaction.get(msg_id="808")
    assert row.customer_id == survivor.id  # type: ignore[attr-defined]
