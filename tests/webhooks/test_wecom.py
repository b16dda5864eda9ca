"""The WeCom endpoint: URL verification, staff commands, external-contact events."""

from __future__ import annotations

import time

import pytest
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
    assert reply is not None and "角色：只读" in str(reply["Content"])  # staff.default_role
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


def sys_event(event: str, created: int, body: str, sender: str | None = "sys") -> str:
    who = f"<FromUserName><![CDATA[{sender}]]></FromUserName>" if sender is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[ww0000000000000000]]></ToUserName>{who}"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{body}</xml>"
    )


# Two distinct events of each kind WeCom sends from `sys` (or with no sender at all), as its
# documentation shows them: same second, differing only in what identifies them.
SYSTEM_EVENTS = {
    "change_external_chat": (
        "<ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId><ChangeType><![CDATA[update]]>"
        "</ChangeType><UpdateDetail><![CDATA[{}]]></UpdateDetail><JoinScene>1</JoinScene>"
        "<MemChangeCnt>1</MemChangeCnt><MemChangeList><Item>wmEAlECwAAHrbWYDOK5u3Af13xlYDDNQ</Item>"
        "</MemChangeList>",
        ("add_member", "del_member"),
    ),
    "change_contact": (
        "<ChangeType>{}</ChangeType><UserID><![CDATA[zhangsan]]></UserID>",
        ("create_user", "update_user"),
    ),
    "change_external_tag": (
        "<Id><![CDATA[etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA]]></Id><TagType><![CDATA[tag]]></TagType>"
        "<ChangeType><![CDATA[{}]]></ChangeType>",
        ("create", "delete"),
    ),
    "open_approval_change": (
        "<AgentID>1</AgentID><ApprovalInfo><ThirdNo><![CDATA[{}]]></ThirdNo>"
        "<OpenSpName><![CDATA[付款]]></OpenSpName><OpenSpStatus>1</OpenSpStatus></ApprovalInfo>",
        ("201806010001", "201806010002"),
    ),
    "sys_approval_change": (
        "<AgentID>3010040</AgentID><ApprovalInfo><SpNo>{}</SpNo><SpName><![CDATA[请假]]></SpName>"
        "<SpStatus>1</SpStatus></ApprovalInfo>",
        ("202202210001", "202202210002"),
    ),
    "batch_job_result": (
        "<BatchJob><JobId><![CDATA[S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId>"
        "<JobType><![CDATA[{}]]></JobType><ErrCode>0</ErrCode><ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob>",
        ("sync_user", "replace_party"),
    ),
    "customer_acquisition": (
        "<ChangeType><![CDATA[{}]]></ChangeType><LinkId><![CDATA[cawcdea7783d7330c2]]></LinkId>",
        ("link_unavailable", "delete_link"),
    ),
    "kf_msg_or_event": (
        "<Token><![CDATA[{}]]></Token><OpenKfId><![CDATA[wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q]]></OpenKfId>",
        (
            "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR",
            "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NS",
        ),
    ),
}


@pytest.mark.parametrize("event", sorted(SYSTEM_EVENTS))
async def test_distinct_system_events_in_one_second_are_all_recorded(
    client: TestClient, wecom: Simulator, event: str
) -> None:
    template, (one, two) = SYSTEM_EVENTS[event]
    created = int(time.time())
    sender = None if event == "kf_msg_or_event" else "sys"  # 微信客服 callbacks have no sender
    first = sys_event(event, created, template.format(one), sender)
    for xml in (first, first, sys_event(event, created, template.format(two), sender)):
        assert await post(client, wecom, xml) == (200, None)
    assert await Interaction.filter(kind=f"event:{event}").count() == 2  # the retry deduped


async def test_change_external_contact_events_in_one_second(
    client: TestClient, wecom: Simulator
) -> None:
    created = int(time.time())
    for change in ("add_external_contact", "add_external_contact", "edit_external_contact"):
        assert (await post(client, wecom, contact_event(change, created)))[0] == 200
    keys = await Interaction.filter(kind="event:change_external_contact").values_list(
        "dedupe_key", flat=True
    )
    assert sorted(keys) == [
        f"ext:add_external_contact:zhangsan:{EXTERNAL}:{created}",
        f"ext:edit_external_contact:zhangsan:{EXTERNAL}:{created}",
    ]


@pytest.mark.parametrize(
    ("event", "body", "values"),
    [
        ("template_card_event", "<EventKey>btn</EventKey><TaskId>{}</TaskId>", ("t-1", "t-2")),
        ("click", "<EventKey><![CDATA[{}]]></EventKey>", ("menu-1", "menu-2")),
    ],
    ids=["template_card_event", "click"],
)
async def test_distinct_member_events_in_one_second_are_all_recorded(
    client: TestClient, wecom: Simulator, event: str, body: str, values: tuple[str, str]
) -> None:
    created = int(time.time())
    first, second = (sys_event(event, created, body.format(v), "lisi") for v in values)
    for xml in (first, first, second):
        assert (await post(client, wecom, xml))[0] == 200
    assert await Interaction.filter(kind=f"event:{event}").count() == 2


async def test_a_member_message_without_sender_is_refused(
    client: TestClient, wecom: Simulator
) -> None:
    xml = text_xml("boss", wecom.receiver, "/help", 1302).replace(
        "<FromUserName><![CDATA[boss]]></FromUserName>", ""
    )
    assert (await post(client, wecom, xml))[0] == 400
