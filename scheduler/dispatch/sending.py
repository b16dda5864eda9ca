"""Sending one prepared delivery and recording WeChat's answer at once.

The delivery is marked sent right after WeChat accepted it, in the same statement that
journals the message as an outbound interaction (group-committed with the other sends
answered meanwhile, guarded by the claim: scheduler.dispatch.outcomes). A worker killed between the
answer and that write leaves only the sends in flight at that moment uncertain (at most
`concurrency` of them); they are sent again when their claim expires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.wechat.client import WeChatClients
from bot.wechat.errors import WeChatAPIError, WeChatError
from crm.campaigns import claims
from crm.campaigns.claims import ClaimedDelivery
from crm.campaigns.sent import Sent
from crm.clock import Clock
from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Channel, Direction, SendChannel
from scheduler.dispatch.config import DispatchSettings
from scheduler.dispatch.failures import classify
from scheduler.dispatch.outcomes import SentWriter
from scheduler.dispatch.ratelimit import RateLimiter

log = logging.getLogger("siyu.dispatch")


@dataclass(frozen=True, slots=True)
class Prepared:
    delivery: ClaimedDelivery
    channel: SendChannel
    text: str
    template_id: str | None = None
    template_url: str | None = None
    template_data: dict[str, dict[str, str]] | None = None
    survey: bool = False  # the campaign invites to a survey

    def as_template(self) -> Prepared | None:
        """The same message by template, when the campaign maps one."""
        if self.template_id is None or self.template_data is None:
            return None
        return Prepared(
            self.delivery, SendChannel.TEMPLATE, self.text,
            self.template_id, self.template_url, self.template_data, self.survey,
        )  # fmt: skip


@dataclass(frozen=True)
class Sender:
    worker: str
    clients: WeChatClients
    journal: InteractionJournal
    limiter: RateLimiter
    settings: DispatchSettings
    clock: Clock
    outcomes: SentWriter

    async def send(self, item: Prepared) -> None:
        try:
            msgid = await self._call(item)
        except WeChatAPIError as exc:
            fallback = item.as_template() if item.channel is SendChannel.CUSTOMER_SERVICE else None
            if exc.window_closed and fallback is not None:
                await self.send(fallback)  # the window closed under us: the template still reaches
                return
            await self.fail_or_retry(item, exc)
        except WeChatError as exc:
            await self.fail_or_retry(item, exc)
        else:
            await self._sent(item, msgid)

    async def _call(self, item: Prepared) -> str | None:
        await self.limiter.wait(item.channel)
        openid = item.delivery.openid or ""
        if item.channel is SendChannel.CUSTOMER_SERVICE:
            await self.clients.oa.send_text(openid, item.text)
            return None
        data = {key: value["value"] for key, value in (item.template_data or {}).items()}
        template_id = item.template_id or ""
        msgid = await self.clients.oa.send_template(openid, template_id, data, item.template_url)
        return str(msgid)

    async def _sent(self, item: Prepared, msgid: str | None) -> None:
        delivery = item.delivery
        content = item.text if item.channel is SendChannel.CUSTOMER_SERVICE else _shown(item)
        sent = Sent(
            delivery.id, item.channel, msgid, content, delivery.campaign_id,
            delivery.customer_id, item.survey,
        )  # fmt: skip
        if await self.outcomes.record(sent):
            return  # marked and journaled in one statement
        log.warning("delivery %s was sent but its claim had passed on", delivery.id)
        await self.journal.record(
            NewInteraction(
                Channel.OA, Direction.OUT, sent.kind, delivery.customer_id, content=content,
                created_at=self.clock.now(),
            )
        )  # fmt: skip

    async def fail_or_retry(self, item: Prepared, error: WeChatError) -> None:
        delivery = item.delivery
        failure = classify(error, delivery.attempts, self.settings, self.clock.now())
        if failure.retry_at is not None:
            await claims.retry_later(
                delivery.id, self.worker, due_at=failure.retry_at, errcode=failure.errcode,
                clock=self.clock,
            )  # fmt: skip
            return
        await claims.mark_failed(
            delivery.id, self.worker, errcode=failure.errcode, reason=failure.reason,
            channel=item.channel, clock=self.clock,
        )  # fmt: skip


def _shown(item: Prepared) -> str:
    """A template message's content as recorded: its values, one per line."""
    data = item.template_data or {}
    return "\n".join(f"{key}: {value['value']}" for key, value in data.items())
