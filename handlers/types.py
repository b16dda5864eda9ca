"""What handlers receive (an inbound message) and return (a reply)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crm.models import Channel, inbound_kind
from handlers.identity import dedupe_key


@dataclass(frozen=True, slots=True)
class ContactChange:
    """A WeCom change_external_contact event: a staff member and an external contact (customer)."""

    change_type: str  # add_external_contact, edit_external_contact, del_follow_user, ...
    user_id: str  # the staff member's WeCom userid
    external_user_id: str
    state: str | None = None  # the 「联系我」 channel code
    welcome_code: str | None = None  # absent when the admin set a welcome message in WeCom
    source: str | None = None
    fail_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One decrypted callback from WeChat, message or event, as typed fields plus the rest."""

    channel: Channel
    msg_type: str  # text, image, voice, event, ...
    sender: str  # FromUserName: openid, WeCom userid, "sys", or "" (WeCom events without one)
    receiver: str
    create_time: int
    raw_xml: str
    msg_id: str | None = None
    event: str | None = None  # lower-case: subscribe, click, ...; None unless msg_type is event
    event_key: str | None = None
    content: str | None = None  # text, or the speech recognition of a voice message
    fields: Mapping[str, Any] = field(default_factory=dict)
    contact: ContactChange | None = None  # only on a change_external_contact event
    _dedupe_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.msg_type != "event" and (self.event is not None or self.contact is not None):
            object.__setattr__(self, "event", None)  # an <Event> in a text message is no event
            object.__setattr__(self, "contact", None)
        object.__setattr__(self, "_dedupe_key", dedupe_key(self))

    @property
    def text(self) -> str:
        """The text content, stripped ("" for events and media)."""
        return self.content or ""

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def kind(self) -> str:
        return inbound_kind(self.msg_type, self.event)

    @property
    def dedupe_key(self) -> str:
        """WeChat's retry identity (handlers/identity.py), at most 154 characters."""
        return self._dedupe_key

    def get(self, name: str) -> str:
        """A raw field by its WeChat name ("" when absent); prefer the typed fields."""
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
