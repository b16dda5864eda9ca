"""Turn a parsed WeChat callback into the typed Message handlers see."""

from __future__ import annotations

from typing import Any

from crm.models import Channel
from handlers.types import Message


class MessageError(Exception):
    """A callback lacks the fields every WeChat message has."""


def _str(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) and value != "" else None


def _text(fields: dict[str, Any]) -> str | None:
    """Content of a text message, or WeChat's transcription of a voice message, stripped."""
    text = _str(fields, "Content") or _str(fields, "Recognition")
    return text.strip() if text else None


def to_message(channel: Channel, fields: dict[str, Any], raw_xml: str) -> Message:
    msg_type = (_str(fields, "MsgType") or "").lower()
    sender = _str(fields, "FromUserName")
    create_time = _str(fields, "CreateTime")
    if not msg_type or not sender or not create_time or not create_time.isdigit():
        raise MessageError("MsgType, FromUserName and CreateTime are required")
    event = _str(fields, "Event")
    return Message(
        channel=channel,
        msg_type=msg_type,
        sender=sender,
        receiver=_str(fields, "ToUserName") or "",
        create_time=int(create_time),
        raw_xml=raw_xml,
        msg_id=_str(fields, "MsgId"),
        event=event.lower() if event else None,
        event_key=_str(fields, "EventKey"),
        content=_text(fields),
        fields=fields,
    )
