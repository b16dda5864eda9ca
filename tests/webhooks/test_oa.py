"""The Official Account endpoint, end to end: real app, real database, WeChat's own XML."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import (
    ConfigError,
    OfficialAccountMode,
    OfficialAccountSettings,
    Settings,
    load_settings,
)
from bot.keys import PIPELINE
from bot.webhooks.throttle import OncePerInterval
from bot.wechat.crypto import signature
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import SignedRequest, Simulator, event_xml, text_xml
from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.models import Customer, Interaction
from handlers.context import Context
from handlers.filters import TextIn
from handlers.router import Router
from handlers.types import Reply
from tests.conftest import TEST_CONFIG
from tests.handlers.support import route_first
from tests.webhooks.conftest import AiohttpClient, with_oa_mode

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


async def test_plaintext_mode(plain_client: TestClient, oa: Simulator) -> None:
    request = oa.oa_plain(text_xml(OPENID, oa.receiver, "营业时间", 303), openid=OPENID)
    resp = await plain_client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200
    assert "<![CDATA[每天 9:00–21:00 营业。]]>" in await resp.text()


async def test_compatible_mode_uses_encrypt(compatible_client: TestClient, oa: Simulator) -> None:
    """Compatible mode: the plain fields AND Encrypt in one body. The plain ones are covered by
    no signature, so a forged sender or text in them must change nothing."""
    xml = text_xml(OPENID, oa.receiver, "营业时间", 404)
    request = oa.oa_compatible(xml, openid=OPENID)
    forged = request.body.replace(OPENID.encode(), b"oVictim").replace("营业时间".encode(), b"TD")
    resp = await compatible_client.post("/wechat/oa", params=request.params, data=forged)
    reply = oa.read_reply(await resp.read())
    assert reply is not None and reply["Content"] == "每天 9:00–21:00 营业。"
    assert reply["ToUserName"] == OPENID
    row = await Interaction.get(msg_id="404")
    assert row.content == "营业时间" and not await Customer.filter(openid="oVictim").exists()


async def test_compatible_mode_refuses_plaintext_and_accepts_safe(
    compatible_client: TestClient, oa: Simulator
) -> None:
    plain = oa.oa_plain(text_xml(OPENID, oa.receiver, "营业时间", 405), openid=OPENID)
    resp = await compatible_client.post("/wechat/oa", params=plain.params, data=plain.body)
    assert resp.status == 403
    safe = oa.oa_safe(text_xml(OPENID, oa.receiver, "营业时间", 406), openid=OPENID)
    resp = await compatible_client.post("/wechat/oa", params=safe.params, data=safe.body)
    assert resp.status == 200 and oa.read_reply(await resp.read()) is not None
    assert await Interaction.filter(msg_id__in=["405", "406"]).count() == 1


def _downgraded(request: SignedRequest) -> dict[str, str]:
    """What an attacker keeps of one real safe-mode callback URL: its plain `signature` covers
    only (token, timestamp, nonce), so it stays valid for any body."""
    return {k: v for k, v in request.params.items() if k not in ("encrypt_type", "msg_signature")}


async def test_forged_downgrade_to_plaintext_is_refused(
    client: TestClient, oa: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    await Customer.create(openid="oVictim")
    seen = oa.oa_safe(text_xml(OPENID, oa.receiver, "你好", 901), openid=OPENID)
    forged = text_xml("oVictim", oa.receiver, "退订", 902).encode()
    with caplog.at_level(logging.WARNING, logger="siyu.webhook"):
        for _ in range(3):
            resp = await client.post("/wechat/oa", params=_downgraded(seen), data=forged)
            assert resp.status == 403
    assert await Interaction.all().count() == 0
    assert not (await Customer.get(openid="oVictim")).opted_out
    refusals = [r for r in caplog.records if "mode is safe" in r.getMessage()]
    assert len(refusals) == 1 and "127.0.0.1" in refusals[0].getMessage()  # once per source
    resp = await client.post("/wechat/oa", params=seen.params, data=seen.body)
    assert resp.status == 200  # the real delivery still goes through


async def test_safe_mode_refuses_a_compatible_body(client: TestClient, oa: Simulator) -> None:
    request = oa.oa_compatible(text_xml(OPENID, oa.receiver, "你好", 903), openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 403
    assert await Interaction.all().count() == 0


async def test_plaintext_retry_is_answered_as_a_retry(
    plain_client: TestClient, oa: Simulator
) -> None:
    request = oa.oa_plain(text_xml(OPENID, oa.receiver, "营业时间", 911), openid=OPENID)
    answers = []
    for _ in range(3):  # WeChat's retries: same timestamp, nonce and body
        resp = await plain_client.post("/wechat/oa", params=request.params, data=request.body)
        assert resp.status == 200
        answers.append(await resp.text())
    assert answers[0] == answers[1] == answers[2] and "每天 9:00–21:00 营业。" in answers[0]
    assert await Interaction.filter(msg_id="911").count() == 1


async def test_plaintext_mode_still_accepts_encrypted_requests(
    plain_client: TestClient, oa: Simulator
) -> None:
    """A stronger mode than configured is verified by its msg_signature and accepted."""
    for request in (
        oa.oa_safe(text_xml(OPENID, oa.receiver, "营业时间", 921), openid=OPENID),
        oa.oa_compatible(text_xml(OPENID, oa.receiver, "营业时间", 922), openid=OPENID),
    ):
        resp = await plain_client.post("/wechat/oa", params=request.params, data=request.body)
        reply = oa.read_reply(await resp.read())
        assert resp.status == 200 and reply is not None
    assert await Interaction.filter(msg_id__in=["921", "922"]).count() == 2


async def test_plaintext_signature_reused_for_another_body_is_refused(
    plain_client: TestClient, oa: Simulator
) -> None:
    await Customer.create(openid="oVictim")
    request = oa.oa_plain(text_xml(OPENID, oa.receiver, "你好", 912), openid=OPENID)
    resp = await plain_client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200
    forged = text_xml("oVictim", oa.receiver, "退订", 913).encode()
    resp = await plain_client.post("/wechat/oa", params=request.params, data=forged)
    assert resp.status == 403
    assert not await Interaction.filter(msg_id="913").exists()
    assert not (await Customer.get(openid="oVictim")).opted_out


async def test_plaintext_body_guard_holds_across_processes(
    aiohttp_client: AiohttpClient, settings: Settings, redis_url: str, oa: Simulator
) -> None:
    """The digest lives in the shared store: a forged body sent to another process is refused."""
    shared = with_oa_mode(settings, OfficialAccountMode.PLAIN).model_copy(
        update={"redis_url": redis_url}
    )
    first, second = [await aiohttp_client(create_app(shared)) for _ in range(2)]
    request = oa.oa_plain(text_xml(OPENID, oa.receiver, "你好", 914), openid=OPENID)
    assert (await first.post("/wechat/oa", params=request.params, data=request.body)).status == 200
    forged = text_xml("oVictim", oa.receiver, "退订", 915).encode()
    assert (await second.post("/wechat/oa", params=request.params, data=forged)).status == 403
    resp = await second.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200 and "<MsgType>" in await resp.text()


def test_refusals_are_logged_once_per_source_per_minute() -> None:
    clock = FrozenClock()
    limit = OncePerInterval(60.0, clock=clock)
    assert limit.allow("10.0.0.1") and not limit.allow("10.0.0.1")
    assert limit.allow("10.0.0.2")
    clock.advance(59)
    assert not limit.allow("10.0.0.1")
    clock.advance(1)
    assert limit.allow("10.0.0.1")


def test_the_default_mode_is_safe() -> None:
    assert OfficialAccountSettings().mode is OfficialAccountMode.SAFE
    assert load_settings(TEST_CONFIG).wechat.oa.mode is OfficialAccountMode.SAFE


def test_the_mode_is_set_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_WECHAT__OA__MODE", "compatible")
    assert load_settings(TEST_CONFIG).wechat.oa.mode is OfficialAccountMode.COMPATIBLE
    monkeypatch.setenv("SIYU_WECHAT__OA__MODE", "aes")
    with pytest.raises(ConfigError, match=r"wechat\.oa\.mode \(SIYU_WECHAT__OA__MODE\)"):
        load_settings(TEST_CONFIG)


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


async def test_a_late_staff_reply_goes_out_as_a_wecom_app_message(
    client: TestClient, wecom: Simulator, fake_wechat: FakeWeChat
) -> None:
    """The same for a staff member on WeCom: the late answer is an app message to them."""
    slow = Router("slow")

    @slow.staff(TextIn("慢慢来"))
    async def slow_answer(ctx: Context) -> Reply:
        await asyncio.sleep(1.3)
        return ctx.reply("久等了，这是查询结果。")

    route_first(client, slow)
    request = wecom.wecom(text_xml("lisi", wecom.receiver, "慢慢来", 708))
    resp = await client.post("/wechat/wecom", params=request.params, data=request.body)
    assert await resp.text() == "success"
    await client.app[PIPELINE].drain()
    assert fake_wechat.sent_texts("lisi") == ["久等了，这是查询结果。"]
    assert fake_wechat.sent_texts(OPENID) == []


async def test_messages_from_a_merged_away_record_land_on_the_survivor(
    client: TestClient, oa: Simulator
) -> None:
    from crm import caches
    from crm.merge import merge_customers

    survivor = await Customer.create(openid="oSurvivor", phone="+8613800138000")
    duplicate = await Customer.create(openid="oDuplicate", phone="+8613800138000")
    await merge_customers(survivor.id, duplicate.id, reason="same phone", actor=SYSTEM)
    caches.clear()
    await post_safe(client, oa, text_xml("oDuplicate", oa.receiver, "你好", 808))
    row = await Interaction.get(msg_id="808")
    assert row.customer_id == survivor.id  # type: ignore[attr-defined]


def documented_layout(**fields: str) -> str:
    """WeChat's documentation layout, as WeRoBot's fixtures have it: every value on its own
    indented line, around the CDATA section."""
    lines = "".join(
        f"\n    <{name}>\n        {value}\n    </{name}>" for name, value in fields.items()
    )
    return f"<xml>{lines}\n</xml>"


async def test_documented_layout_text_message(client: TestClient, oa: Simulator) -> None:
    xml = documented_layout(
        ToUserName=f"<![CDATA[{oa.receiver}]]>",
        FromUserName="<![CDATA[oWeRoBot]]>",
        CreateTime="1348831860",
        MsgType="<![CDATA[text]]>",
        Content="<![CDATA[营业时间]]>",
        MsgId="1234567890123456",
    )
    status, reply = await post_safe(client, oa, xml)
    assert status == 200 and reply is not None and reply["Content"] == "每天 9:00–21:00 营业。"
    assert reply["ToUserName"] == "oWeRoBot"
    row = await Interaction.get(dedupe_key="msg:1234567890123456")
    assert row.kind == "text" and row.msg_id == "1234567890123456" and row.content == "营业时间"
    assert await Customer.filter(openid="oWeRoBot").exists()


async def test_documented_layout_subscribe_event(client: TestClient, oa: Simulator) -> None:
    xml = documented_layout(
        ToUserName=f"<![CDATA[{oa.receiver}]]>",
        FromUserName="<![CDATA[oWeRoBot]]>",
        CreateTime="1348831860",
        MsgType="<![CDATA[event]]>",
        Event="<![CDATA[subscribe]]>",
        EventKey="<![CDATA[qrscene_123123]]>",
    )
    status, reply = await post_safe(client, oa, xml)
    assert status == 200 and reply is not None and "欢迎关注测试小店" in str(reply["Content"])
    customer = await Customer.get(openid="oWeRoBot")
    assert customer.subscribed and customer.source_detail == "123123"
    assert await Interaction.filter(kind="event:subscribe").count() == 1


async def test_a_text_message_with_an_event_element_is_not_an_event(
    client: TestClient, oa: Simulator
) -> None:
    xml = text_xml(OPENID, oa.receiver, "随便聊聊", 1601).replace(
        "</xml>",
        "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_x]]></EventKey></xml>",
    )
    status, reply = await post_safe(client, oa, xml)
    assert status == 200 and reply is not None and "欢迎关注" not in str(reply["Content"])
    customer = await Customer.get(openid=OPENID)
    assert not customer.subscribed and customer.source_detail is None
    assert (await Interaction.get(msg_id="1601")).kind == "text"


async def test_a_message_without_sender_is_refused(client: TestClient, oa: Simulator) -> None:
    xml = text_xml(OPENID, oa.receiver, "你好", 1301).replace(
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>", ""
    )
    status, _ = await post_safe(client, oa, xml)
    assert status == 400 and await Interaction.all().count() == 0


async def test_a_long_menu_url_is_recorded_once(client: TestClient, oa: Simulator) -> None:
    """A VIEW event's EventKey is the clicked URL, up to 1,024 bytes: the dedupe key stays
    within its column (PostgreSQL enforces varchar(160)), a retry is still recognised."""
    url = "https://shop.example.com/landing?" + "q=" + "x" * 1000
    xml = event_xml(OPENID, oa.receiver, "VIEW", url)
    first = await asyncio.gather(*(post_safe(client, oa, xml) for _ in range(2)))
    other = event_xml(OPENID, oa.receiver, "VIEW", url[:-1] + "y")
    second = await post_safe(client, oa, other)
    assert [s for s, _ in first] == [200, 200] and second[0] == 200
    rows = await Interaction.filter(kind="event:view").values_list("dedupe_key", flat=True)
    assert len(rows) == 2 and all(len(key) <= 154 for key in rows)
