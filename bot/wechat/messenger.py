"""Pushes outside the passive reply: the customer-service API (OA) and WeCom app messages.
Every push is recorded as an outbound interaction. It lives in bot.wechat so the scheduler
(campaigns, later) may use it too (DESIGN.md: `scheduler -> bot.wechat`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.wechat.client import WeChatClients
from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Channel, Customer, Direction, InteractionKind

log = logging.getLogger("siyu.messenger")


@dataclass(frozen=True, slots=True)
class WeChatMessenger:
    clients: WeChatClients
    journal: InteractionJournal

    async def to_customer(self, customer: Customer, text: str) -> None:
        if not customer.openid:
            # WeCom external contacts can only be messaged through a staff-confirmed task
            log.warning("customer %s has no openid: push skipped", customer.id)
            return
        await self.clients.oa.send_text(customer.openid, text)
        await self._record(Channel.OA, InteractionKind.PUSH_TEXT, customer.id, text)

    async def to_staff(self, userid: str, text: str) -> None:
        await self.clients.wecom.send_text(userid, text)
        await self._record(Channel.WECOM, InteractionKind.PUSH_TEXT, None, text)

    async def welcome_contact(self, customer: Customer, welcome_code: str, text: str) -> None:
        await self.clients.wecom.send_welcome_msg(welcome_code, text)
        await self._record(Channel.WECOM, InteractionKind.WELCOME_TEXT, customer.id, text)

    async def _record(
        self, channel: Channel, kind: InteractionKind, customer_id: int | None, text: str
    ) -> None:
        await self.journal.record(
            NewInteraction(channel, Direction.OUT, kind, customer_id, content=text)
        )
