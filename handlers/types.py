"""What handlers receive (an inbound message) and return (a reply)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crm.models import Channel


@dataclass(frozen=True, slots=True)
class Message:
    """One decrypted callback from WeChat, message or event, as typed fields plus the rest."""

    channel: Channel
    msg_type: str  # text, image, voice, event, ...
    sender: str  # FromUserName: openid, WeCom userid, or "sys" for external-contact events
    receiver: str
    create_time: int
    raw_xml: str
    msg_id: str | None = None
    event: str | None = None  # lower-case: subscribe, click, change_external_contact, ...
    event_key: str | None = None
    content: str | None = None  # text, or the speech recognition of a voice message
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The text content, stripped ("" for events and media)."""
        return self.content or ""

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def kind(self) -> str:
        return f"event:{self.event}" if self.is_event else self.msg_type

    @property
    def dedupe_key(self) -> str:
        """WeChat's retry identity (PROTOCOL.md): MsgId; events by sender, time and event."""
        if self.event == "change_external_contact":
            f = self.fields
            ext = f"{f.get('ChangeType')}:{f.get('UserID')}:{f.get('ExternalUserID')}"
            return f"ext:{ext}:{self.create_time}"
        if self.msg_id and not self.is_event:
            return f"msg:{self.msg_id}"
        if self.is_event:
            return f"evt:{self.sender}:{self.create_time}:{self.event}:{self.event_key or ''}"
        return "raw:" + hashlib.sha1(self.raw_xml.encode()).hexdigest()

    def get(self, name: str) -> str:
        value = self.fields.get(name)
        return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class TextReply:
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    description: str = ""
    image: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class NewsReply:
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class ImageReply:
    media_id: str


Reply = TextReply | NewsReply | ImageReply | None
"""None: nothing to say (the webhook answers "success")."""
