"""The complaint jobs on the elected scheduler: SLA escalation and the notification retries.

`check_sla` finds tickets past their first-response or resolution deadline and queues one
escalation each (to `complaints.team_lead`, default the admins): the escalation's unique
row, not this process's memory, makes it exactly once across leader changes. `retry`
sends every notification that is due — new ones the webhook could not send (WeCom tags, the
group robot, a failed call) and the escalations — with backoff until sent or given up."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.wechat.client import WeChatClients
from crm.clock import SYSTEM_CLOCK, Clock
from crm.complaints import config as complaint_config
from crm.complaints import notifications, sla
from crm.complaints.config import ComplaintSettings
from scheduler.service import PeriodicJob

log = logging.getLogger("siyu.scheduler.complaints")
RETRY_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class WeComStaffSender:
    """A notification by its target: app message to users or tags, or the group robot."""

    clients: WeChatClients

    async def send(self, target: str, recipient: str, text: str) -> None:
        wecom = self.clients.wecom
        if target == notifications.TOUSER:
            sent = await wecom.send_text(recipient, text)
            if sent.invalid_users:
                log.warning("complaint notice: WeCom did not know %s", sent.invaliduser)
        elif target == notifications.TOTAG:
            await wecom.send_text_to_tag(recipient, text)
        elif target == notifications.ROBOT and self.clients.robot is not None:
            await self.clients.robot.send_text(recipient, text)
        else:
            raise ValueError(f"no way to send a {target} notification")


class ComplaintJobs:
    def __init__(
        self, clients: WeChatClients, admins: Sequence[str], timezone: str,
        clock: Clock = SYSTEM_CLOCK, settings: ComplaintSettings | None = None,
    ) -> None:  # fmt: skip
        self.sender = WeComStaffSender(clients)
        self.admins, self.timezone, self.clock = tuple(admins), timezone, clock
        self._settings = settings

    @property
    def settings(self) -> ComplaintSettings:
        return self._settings or complaint_config.current()

    async def check_sla(self) -> int:
        """Queue an escalation for each new breach and send it; the number queued."""
        queued = 0
        for breach in await sla.breaches(self.clock):
            rows = await sla.escalate(breach, self.settings, self.admins, self.timezone, self.clock)
            if rows:
                log.warning("complaint %s breached its %s deadline: escalated",
                            breach.ticket.number, breach.kind)  # fmt: skip
            queued += len(rows)
        if queued:
            await self.retry()
        return queued

    async def retry(self) -> int:
        """Send the notifications that are due; the number sent."""
        sent = 0
        for row in await notifications.due(clock=self.clock):
            if await notifications.deliver(row, self.sender, self.settings.notify, self.clock):
                sent += 1
        return sent

    def periodic(self) -> list[PeriodicJob]:
        return [
            PeriodicJob("complaint-sla", self.check_sla, self.settings.sla_check_seconds),
            PeriodicJob("complaint-notify", self.retry, RETRY_SECONDS),
        ]
