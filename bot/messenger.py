"""Pushes outside the passive reply: the customer-service API (OA) and WeCom app messages.
Every push is recorded as an outbound interaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.wechat.client import WeChatClients
from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Channel, Customer, Direction

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
        await self.journal.record(
            NewInteraction(Channel.OA, Direction.OUT, "push:text", customer.id, content=text)
        )

    async def to_staff(self, userid: str, text: str) -> None:
        await self.clients.wecom.send_text(userid, text)
        await self.journal.record(
            NewInteraction(Channel.WECOM, Direction.OUT, "push:text", None, content=text)
        )

    async def welcome_contact(self, customer: Customer, welcome_code: str, text: str) -> None:
        await self.clients.wecom.send_welcome_msg(welcome_code, text)
        await self.journal.record(
            NewInteraction(Channel.WECOM, Direction.OUT, "welcome:text", customer.id, content=text)
        )
