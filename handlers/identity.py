"""A callback's retry identity (its dedupe key): shared by WeChat's retries of one delivery,
never by two different deliveries, and short enough for its column.

Messages are identified by MsgId. An event a member causes (a customer or a staff member) by
sender, CreateTime, Event and the fields that tell two such events of one second apart.
WeCom's system events come from `sys` or from no sender at all, so nothing in those four
fields tells two of them apart (two members joining a group chat in one second, two batch jobs
finishing): they are identified by a digest of the decrypted XML, which WeChat's retries repeat
byte for byte. change_external_contact keeps its documented readable key (PROTOCOL.md).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.types import Message

MAX_KEY_LENGTH = 160 - len(":reply")  # interaction.dedupe_key; the reply's key adds ":reply"
_MAX_PART = 64  # in a key too long, a part longer than this is replaced by its sha1

_EVENT_KEY = ("EventKey",)
_JOB = ("MsgID",)  # MsgID names the outbound job the event reports on
_CARD = ("EventKey", "TaskId")
MEMBER_EVENTS: dict[str, tuple[str, ...]] = {
    # Official Account
    "subscribe": _EVENT_KEY, "unsubscribe": _EVENT_KEY, "scan": _EVENT_KEY,
    "location": _EVENT_KEY, "click": _EVENT_KEY, "view": _EVENT_KEY,
    "view_miniprogram": _EVENT_KEY, "scancode_push": _EVENT_KEY,
    "scancode_waitmsg": _EVENT_KEY, "pic_sysphoto": _EVENT_KEY,
    "pic_photo_or_album": _EVENT_KEY, "pic_weixin": _EVENT_KEY,
    "location_select": _EVENT_KEY,
    "masssendjobfinish": _JOB, "templatesendjobfinish": _JOB,
    # WeCom self-built app, from the member
    "enter_agent": _EVENT_KEY,
    "template_card_event": _CARD, "template_card_menu_event": _CARD,
}  # fmt: skip
"""Member events identified by their fields; every other event is identified by its digest."""


def dedupe_key(message: Message) -> str:
    if not message.is_event:
        if message.msg_id:
            return bounded("msg", message.msg_id)
        return "raw:" + digest(message.raw_xml)
    if message.contact is not None:
        change = message.contact
        parts = (change.change_type, change.user_id, change.external_user_id)
        return bounded("ext", *parts, str(message.create_time))
    return _event_key(message)


def _event_key(message: Message) -> str:
    event = message.event or ""
    named = MEMBER_EVENTS.get(event)
    time = str(message.create_time)
    if named is None or message.sender in ("", "sys"):
        return bounded("sys", event, time, digest(message.raw_xml))
    if named is _EVENT_KEY:
        return bounded("evt", message.sender, time, event, message.event_key or "")
    return bounded("evt", message.sender, time, event, *[message.get(name) for name in named])


def bounded(prefix: str, *parts: str) -> str:
    """`prefix:part:part...` as it is while it fits MAX_KEY_LENGTH; else each part longer
    than 64 characters (a clicked URL of up to 1,024 bytes) is replaced by its sha1, and if
    that is still too long, the whole key is."""
    key = ":".join((prefix, *parts))
    if len(key) <= MAX_KEY_LENGTH:
        return key
    key = ":".join([prefix, *(p if len(p) <= _MAX_PART else digest(p) for p in parts)])
    return key if len(key) <= MAX_KEY_LENGTH else f"{prefix}:{digest(key)}"


def digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
