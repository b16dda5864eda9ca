"""Turn a parsed WeChat callback into the typed Message handlers see."""

from __future__ import annotations

from typing import Any

from crm.models import Channel
from handlers.types import ContactChange, Message

MAX_ID_LENGTH = 64  # openid 28, external userid 32, WeCom userid at most 64 bytes


class MessageError(Exception):
    """A callback lacks the fields every WeChat message has."""


def _str(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) and value != "" else None


def _text(fields: dict[str, Any]) -> str | None:
    """Content of a text message, or WeChat's transcription of a voice message, stripped."""
    text = _str(fields, "Content") or _str(fields, "Recognition")
    return text.strip() if text else None


def _create_time(fields: dict[str, Any]) -> int:
    value = _str(fields, "CreateTime")
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise MessageError("CreateTime is required, in seconds")
    return int(value)


def _sender(channel: Channel, fields: dict[str, Any], is_event: bool) -> str:
    """FromUserName; WeCom sends some events without one (微信客服's kf_msg_or_event)."""
    sender = _str(fields, "FromUserName")
    if sender is None:
        if channel is Channel.WECOM and is_event:
            return ""
        raise MessageError("FromUserName is required")
    if len(sender) > MAX_ID_LENGTH:
        raise MessageError(f"FromUserName is longer than {MAX_ID_LENGTH} characters")
    return sender


def _contact(fields: dict[str, Any]) -> ContactChange:
    return ContactChange(
        change_type=_str(fields, "ChangeType") or "",
        user_id=_str(fields, "UserID") or "",
        external_user_id=_str(fields, "ExternalUserID") or "",
        state=_str(fields, "State"),
        welcome_code=_str(fields, "WelcomeCode"),
        source=_str(fields, "Source"),
        fail_reason=_str(fields, "FailReason"),
    )


def to_message(channel: Channel, fields: dict[str, Any], raw_xml: str) -> Message:
    msg_type = (_str(fields, "MsgType") or "").lower()
    if not msg_type:
        raise MessageError("MsgType is required")
    is_event = msg_type == "event"
    event = (_str(fields, "Event") or "").lower() or None if is_event else None
    return Message(
        channel=channel,
        msg_type=msg_type,
        sender=_sender(channel, fields, is_event),
        receiver=_str(fields, "ToUserName") or "",
        create_time=_create_time(fields),
        raw_xml=raw_xml,
        msg_id=_str(fields, "MsgId"),
        event=event,
        event_key=_str(fields, "EventKey"),
        content=_text(fields),
        fields=fields,
        contact=_contact(fields) if event == "change_external_contact" else None,
    )
