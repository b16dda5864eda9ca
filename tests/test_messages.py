"""From parsed fields to the typed Message: what is an event, typed fields, bounded keys."""

from __future__ import annotations

import pytest

from bot.wechat.messages import MessageError, to_message
from bot.wechat.xml import parse_xml
from crm.models import Channel
from handlers.identity import MAX_KEY_LENGTH
from handlers.types import ContactChange, Message


def message(xml: str, channel: Channel = Channel.OA) -> Message:
    return to_message(channel, parse_xml(xml.encode(), 1 << 16), xml)


def test_an_event_element_in_a_text_message_is_ignored() -> None:
    m = message(
        "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        "<Content>hi</Content><MsgId>7</MsgId><Event>subscribe</Event></xml>"
    )
    assert m.event is None and m.kind == "text" and m.dedupe_key == "msg:7"
    direct = Message(Channel.OA, "text", "o1", "gh", 1, "<xml/>", event="subscribe")
    assert direct.event is None  # no way to build a non-event that carries an event


def test_external_contact_fields_are_typed() -> None:
    m = message(
        "<xml><FromUserName>sys</FromUserName><CreateTime>9</CreateTime><MsgType>event</MsgType>"
        "<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType>"
        "<UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID><State>s</State></xml>",
        Channel.WECOM,
    )
    assert m.contact == ContactChange("add_external_contact", "zhangsan", "wm1", state="s")
    assert m.dedupe_key == "ext:add_external_contact:zhangsan:wm1:9"
    subscribe = message(
        "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
        "<Event>subscribe</Event><EventKey>qrscene_a</EventKey></xml>"
    )
    assert subscribe.contact is None and subscribe.dedupe_key == "evt:o1:1:subscribe:qrscene_a"


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>{}</Event>"
        "<EventKey>{}</EventKey></xml>",
        "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
        "<Event>{}</Event><EventKey>{}</EventKey></xml>",
        "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        "<MsgId>{}{}</MsgId></xml>",
    ],
)
def test_keys_stay_within_their_column_and_apart(xml: str) -> None:
    long_a, long_b = (
        message(xml.format("e" * 300, "k" * 1024), Channel.WECOM),
        message(xml.format("e" * 300, "k" * 1023 + "j"), Channel.WECOM),
    )
    assert len(long_a.dedupe_key) <= MAX_KEY_LENGTH and long_a.dedupe_key != long_b.dedupe_key
    short = message(xml.format("view", "menu"), Channel.WECOM)
    assert short.dedupe_key.startswith("sys:view:1:") or "menu" in short.dedupe_key  # readable


@pytest.mark.parametrize("create_time", ["", "abc", "²", "1" * 5000, "-1"])
def test_create_time_must_be_seconds(create_time: str) -> None:
    with pytest.raises(MessageError, match="CreateTime"):
        message(
            f"<xml><FromUserName>o1</FromUserName><CreateTime>{create_time}</CreateTime>"
            "<MsgType>text</MsgType></xml>"
        )


def test_sender_longer_than_any_wechat_id_is_refused() -> None:
    with pytest.raises(MessageError, match="FromUserName"):
        message(
            f"<xml><FromUserName>{'o' * 65}</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>text</MsgType></xml>"
        )


def _event(sender: str, event: str, key: str = "", **extra: str) -> str:
    more = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    return (
        f"<xml><ToUserName>gh</ToUserName><FromUserName>{sender}</FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>{event}</Event>"
        f"<EventKey>{key}</EventKey>{more}</xml>"
    )


def _sha1(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("xml", "key"),
    [
        (_event("o1", "subscribe", "qrscene_7"), "evt:o1:1700000000:subscribe:qrscene_7"),
        (_event("o1", "CLICK", "V1001"), "evt:o1:1700000000:click:V1001"),
        (_event("o1", "unsubscribe"), "evt:o1:1700000000:unsubscribe:"),
        (
            _event("gh", "MASSSENDJOBFINISH", MsgID="1000001625"),
            "evt:gh:1700000000:masssendjobfinish:1000001625",
        ),
        (
            _event("zhangsan", "template_card_event", "btn", TaskId="t9"),
            "evt:zhangsan:1700000000:template_card_event:btn:t9",
        ),
    ],
    ids=["subscribe", "click", "unsubscribe", "job_finish", "template_card"],
)
def test_member_events_keep_their_readable_keys(xml: str, key: str) -> None:
    """The readable form is what rows already recorded carry: a process of the next release
    must give a retry the key its predecessor gave the first delivery."""
    assert message(xml, Channel.WECOM if "zhangsan" in xml else Channel.OA).dedupe_key == key


@pytest.mark.parametrize("sender", ["sys", ""], ids=["sys", "no_sender"])
def test_system_events_are_keyed_by_their_digest(sender: str) -> None:
    xml = _event(sender, "change_external_chat", ChatId="wr1", UpdateDetail="add_member")
    if not sender:
        xml = xml.replace("<FromUserName></FromUserName>", "")
    expected = f"sys:change_external_chat:1700000000:{_sha1(xml)}"
    assert message(xml, Channel.WECOM).dedupe_key == expected


def test_a_long_part_becomes_its_digest_and_a_long_key_a_digest_of_itself() -> None:
    url = "https://example.com/" + "a" * 1000
    assert message(_event("o1", "VIEW", url)).dedupe_key == (f"evt:o1:1700000000:view:{_sha1(url)}")
    sender, key = "o" * 64, "k" * 64  # each part fits, together they do not
    whole = f"evt:{sender}:1700000000:scancode_waitmsg:{key}"
    assert message(_event(sender, "scancode_waitmsg", key)).dedupe_key == f"evt:{_sha1(whole)}"
    assert len(whole) > MAX_KEY_LENGTH
