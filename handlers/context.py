"""The typed, frozen context every handler gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import templates
from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import Customer, Staff
from handlers.config import ConversationSettings
from handlers.types import Message, TextReply

if TYPE_CHECKING:
    from nlp import Analysis, Intent


class UpdateKind(StrEnum):
    """What an update is, for routing and for how a failure is answered."""

    MESSAGE = "message"  # a customer's message: a failure is apologised for
    EVENT = "event"  # any event (follow, contact change, WeCom app): never answered on failure
    STAFF = "staff"  # a staff member's message to the WeCom app: a failure says what failed


class ChatState(Protocol):
    """Short-lived conversation state (which question a survey is on, a pending confirm...)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...


class Messenger(Protocol):
    """Pushes a message outside the passive reply (customer-service API, WeCom app message)."""

    async def to_customer(self, customer: Customer, text: str) -> None: ...

    async def to_staff(self, userid: str, text: str) -> None: ...

    async def welcome_contact(self, customer: Customer, welcome_code: str, text: str) -> None:
        """WeCom's welcome message to a new external contact (code valid 20 s, once)."""
        ...


@dataclass(frozen=True, slots=True)
class Context:
    message: Message
    settings: ConversationSettings
    state: ChatState
    messenger: Messenger
    customer: Customer | None = None
    staff: Staff | None = None
    analysis: Analysis | None = None
    timezone: str = "Asia/Shanghai"
    # What filters load at most once per update (the conversation state); see handlers/state.py
    loaded: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    clock: Clock = field(default=SYSTEM_CLOCK, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def intent(self) -> Intent | None:
        return None if self.analysis is None else self.analysis.intent

    @property
    def update_kind(self) -> UpdateKind:
        if self.message.is_event:
            return UpdateKind.EVENT
        return UpdateKind.MESSAGE if self.staff is None else UpdateKind.STAFF

    def reply(self, text: str) -> TextReply:
        return TextReply(text)

    def render(self, template: str, **variables: Any) -> TextReply:
        variables.setdefault("brand", self.settings.brand_name)
        variables.setdefault("customer", self.customer)
        return TextReply(templates.render(template, **variables))
