"""One inbound callback, from decrypted message to reply XML:
dedupe -> who is it -> understand -> record durably -> handler (timed) -> record the outcome.

A delivery the database already has (its first attempt's claim lapsed) is answered from the
recorded outcome; with no outcome, the first attempt died inside the handler, so the handler
runs again (handlers are idempotent per message)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.metrics import Metrics
from bot.webhooks.dedupe import Claims, LeaseExpired
from bot.wechat.replies import render_reply, reply_text
from crm import customers, store_keys
from crm import staff as staff_directory
from crm.clock import SYSTEM_CLOCK, Clock
from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Channel, Customer, Delivery, Direction, Interaction, Staff, outbound_kind
from crm.staff_config import StaffSettings
from crm.tagging import MessageTagger
from handlers.config import ConversationSettings
from handlers.context import ChatState, Context, Messenger
from handlers.router import Router
from handlers.types import Message, Reply
from nlp import Analysis, analyze

log = logging.getLogger("siyu.pipeline")
_NOT_MEMBERS = frozenset({"", "sys"})  # WeCom's pseudo-sender of system events; no sender


@dataclass
class Pipeline:
    claims: Claims
    journal: InteractionJournal
    router: Router
    settings: ConversationSettings
    state: ChatState
    messenger: Messenger
    metrics: Metrics
    tagger: MessageTagger | None = None
    understand: bool = True
    timezone: str = "Asia/Shanghai"
    budget_seconds: float = 4.0
    staff: StaffSettings = field(default_factory=StaffSettings)
    clock: Clock = SYSTEM_CLOCK  # what handlers read the time from (tests set a FrozenClock)
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    async def handle(self, message: Message) -> str | None:
        """The reply XML for this delivery (the first delivery's for a retry), None = success."""
        key = store_keys.dedupe_claim(message.channel, message.dedupe_key)
        self.metrics.received += 1
        if not await self.claims.claim(key):
            self.metrics.duplicates += 1
            try:
                return await self.claims.first_answer(key, wait=self.budget_seconds)
            except LeaseExpired:
                pass  # the first delivery's owner is gone: handle it here
        try:
            reply_xml = await self._first_delivery(message)
        except BaseException:
            await self.claims.release(key)
            raise
        await self.claims.finish(key, reply_xml)
        return reply_xml

    async def _first_delivery(self, message: Message) -> str | None:
        customer, staff = await self._who(message)
        analysis = _understand(message) if self.understand else None
        if await self.journal.record(_inbound_record(message, customer, analysis)):
            if customer is not None and analysis is not None and self.tagger is not None:
                self._spawn(self._tag(customer, analysis))  # off the reply's critical path
        else:
            self.metrics.duplicates += 1
            outcome = await _recorded_outcome(message)
            if outcome is not None:
                return outcome.reply_xml
            # Recorded, never answered: the process handling it died. Handle it now.
        ctx = Context(
            message, self.settings, self.state, self.messenger, customer, staff, analysis,
            self.timezone, clock=self.clock,
        )  # fmt: skip
        reply = await self._reply_in_time(ctx)
        return await self._record_reply(message, customer, reply)

    async def _who(self, message: Message) -> tuple[Customer | None, Staff | None]:
        if message.channel is Channel.OA:
            return await customers.for_openid(message.sender), None
        if message.contact is not None:
            external = message.contact.external_user_id
            return (await customers.for_external_contact(external) if external else None), None
        return None, await self._staff(message)

    async def _staff(self, message: Message) -> Staff | None:
        """Only a member's own message registers them; `sys` and events register nobody."""
        if message.sender in _NOT_MEMBERS:
            return None
        if message.is_event:
            return await staff_directory.find(message.sender)
        admins = self.staff.with_admins(self.settings.staff_admins).admins
        return await staff_directory.for_userid(
            message.sender, admins, default_role=self.staff.default_role
        )

    async def _reply_in_time(self, ctx: Context) -> Reply:
        """The handler's reply, or None past the budget: then it is pushed when ready."""
        task = asyncio.ensure_future(self.router.handle(ctx))
        done, _ = await asyncio.wait((task,), timeout=self.budget_seconds)
        if done:
            return task.result()
        self.metrics.late_replies += 1
        self._spawn(self._push_when_ready(ctx, task))
        return None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _tag(self, customer: Customer, analysis: Analysis) -> None:
        assert self.tagger is not None
        try:
            await self.tagger.tag(customer, analysis)
        except Exception:
            log.exception("tagging customer %s failed", customer.id)

    async def _push_when_ready(self, ctx: Context, task: asyncio.Task[Reply]) -> None:
        try:
            text = reply_text(await task)
            if not text:
                return
            if ctx.customer is not None:
                await self.messenger.to_customer(ctx.customer, text)
            elif ctx.staff is not None:
                await self.messenger.to_staff(ctx.staff.userid, text)
        except Exception:
            log.exception("late reply to %s could not be pushed", ctx.message.dedupe_key)

    async def _record_reply(
        self, message: Message, customer: Customer | None, reply: Reply
    ) -> str | None:
        """The delivery's outcome, recorded for every one handled, "success" included: a retry
        that finds no outcome knows the handler never finished."""
        xml = render_reply(reply, to_user=message.sender, from_user=message.receiver)
        outbound = NewInteraction(
            channel=message.channel,
            direction=Direction.OUT,
            kind=_reply_kind(reply),
            customer_id=customer.id if customer else None,
            content=reply_text(reply),
            payload=xml,
            dedupe_key=f"{message.dedupe_key}:reply",
        )
        await self.journal.record(outbound)
        if xml is not None:
            self.metrics.replies += 1
        return xml

    async def drain(self) -> None:
        """Wait for late replies and tagging still under way (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def _understand(message: Message) -> Analysis | None:
    if message.is_event or not message.content:
        return None
    return analyze(message.content)


def _inbound_record(
    message: Message, customer: Customer | None, analysis: Analysis | None
) -> NewInteraction:
    return NewInteraction(
        channel=message.channel,
        direction=Direction.IN,
        kind=message.kind[:48],
        customer_id=customer.id if customer else None,
        content=message.content,
        payload=message.raw_xml,
        msg_id=message.msg_id,
        dedupe_key=message.dedupe_key,
        sentiment_score=analysis.sentiment.score if analysis else None,
        sentiment_label=analysis.sentiment.label.value if analysis else None,
        intent=analysis.intent.value if analysis else None,
        keywords=tuple(analysis.keywords) if analysis else None,
    )


def _reply_kind(reply: Reply) -> str:
    """reply:text, reply:news, reply:image; reply:none for "success"."""
    name = "none" if reply is None else type(reply).__name__.removesuffix("Reply").lower()
    return outbound_kind(Delivery.REPLY, name)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a delivery was answered: reply XML, or None for "success"."""

    reply_xml: str | None


async def _recorded_outcome(message: Message) -> Outcome | None:
    """A delivery the database already has: what was answered then, None if nothing was."""
    row = await Interaction.get_or_none(
        channel=message.channel.value, dedupe_key=f"{message.dedupe_key}:reply"
    )
    return None if row is None else Outcome(row.payload)
