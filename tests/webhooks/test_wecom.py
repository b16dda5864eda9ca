"""The WeCom endpoint: URL verification, staff commands, external-contact events."""

from __future__ import annotations

import time

from aiohttp.test_utils import TestClient

from bot.wechat.crypto import signature
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, text_xml
from crm.models import Customer, Interaction, Staff

EXTERNAL = "woAJ2GCAAAXtWyujaWJHDDGi0mACH71w"


def contact_event(change: str, created: int, user: str = "zhangsan") -> str:
    return (
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>"
        f"<UserID><![CDATA[{user}]]></UserID><ExternalUserID><![CDATA[{EXTERNAL}]]></ExternalUserID>"
        "<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>"
    )


async def post(
    client: TestClient, wecom: Simulator, xml: str
) -> tuple[int, dict[str, object] | None]:
    request = wecom.wecom(xml)
    resp = await client.post("/wechat/wecom", params=request.params, data=request.body)
    return resp.status, (wecom.read_reply(await resp.read()) if resp.status == 200 else None)


async def test_url_verification_answers_decrypted_echostr(
    client: TestClient, wecom: Simulator
) -> None:
    ts, nonce = str(int(time.time())), "1372623149"
    echostr = wecom.crypto.encrypt(b"1616140317555161061")
    params = {
        "msg_signature": signature(wecom.crypto.token, ts, nonce, echostr),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": echostr,
    }
    resp = await client.get("/wechat/wecom", params=params)
    assert resp.status == 200 and await resp.read() == b"1616140317555161061"
    params["msg_signature"] = signature("wrong", ts, nonce, echostr)
    assert (await client.get("/wechat/wecom", params=params)).status == 403


async def test_staff_help_and_whoami(client: TestClient, wecom: Simulator) -> None:
    status, reply = await post(client, wecom, text_xml("boss", wecom.receiver, "/help", 1))
    assert status == 200 and reply is not None and "/whoami" in str(reply["Content"])
    status, reply = await post(client, wecom, text_xml("boss", wecom.receiver, "/whoami", 2))
    assert reply is not None and "角色：管理员" in str(reply["Content"])
    status, reply = await post(client, wecom, text_xml("lisi", wecom.receiver, "/whoami", 3))
    assert reply is not None and "角色：运营" in str(reply["Content"])
    status, reply = await post(client, wecom, text_xml("lisi", wecom.receiver, "随便说说", 4))
    assert reply is not None and "/help" in str(reply["Content"])
    assert await Staff.filter(userid__in=["boss", "lisi"]).count() == 2
    assert await Interaction.filter(channel="wecom", direction="in").count() == 4


async def test_external_contact_lifecycle(
    client: TestClient, wecom: Simulator, fake_wechat: FakeWeChat
) -> None:
    created = int(time.time())
    status, reply = await post(client, wecom, contact_event("add_external_contact", created))
    assert status == 200 and reply is None
    customer = await Customer.get(external_userid=EXTERNAL)
    assert customer.follow_user == "zhangsan" and customer.source_detail == "teststate"
    assert customer.source_channel == "wecom"
    welcome = fake_wechat.calls_to("/cgi-bin/externalcontact/send_welcome_msg")
    assert len(welcome) == 1 and welcome[0].body["welcome_code"] == "WELCOMECODE"
    assert "欢迎" in welcome[0].body["text"]["content"]
    # WeChat's retry of the same event: recorded once
    await post(client, wecom, contact_event("add_external_contact", created))
    assert await Interaction.filter(kind="event:change_external_contact").count() == 1
    # from "sys", so two changes in one second must not collide
    await post(client, wecom, contact_event("edit_external_contact", created))
    assert await Interaction.filter(kind="event:change_external_contact").count() == 2
    await post(client, wecom, contact_event("del_follow_user", created + 1))
    customer = await Customer.get(external_userid=EXTERNAL)
    assert customer.follow_user is None
    rows = await Interaction.filter(kind="event:change_external_contact").values_list(
        "customer_id", flat=True
    )
    assert set(rows) == {customer.id}


async def test_tampered_envelope_is_403(client: TestClient, wecom: Simulator) -> None:
    request = wecom.wecom(text_xml("boss", wecom.receiver, "/help", 9))
    body = request.body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[A")
    resp = await client.post("/wechat/wecom", params=request.params, data=body)
    assert resp.status == 403
    assert await Interaction.all().count() == 0
