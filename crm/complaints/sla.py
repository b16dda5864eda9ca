"""SLA breaches and their escalation, exactly once each: the escalation is a notification
row whose key (`sla:first_response:0`, `sla:resolution:<reopen count>`) is unique per
ticket, so however many leaders run the check, one insert wins and one message goes out
(retried by the notification outbox until sent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crm.clock import Clock, utcnow
from crm.complaints import notifications, texts
from crm.complaints.config import ComplaintSettings
from crm.models import ACTIVE_STATUSES, Complaint, ComplaintNotification
from crm.transactions import in_transaction

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"


@dataclass(frozen=True, slots=True)
class Breach:
    ticket: Complaint
    kind: str  # first_response or resolution

    @property
    def key(self) -> str:
        round_ = 0 if self.kind == FIRST_RESPONSE else self.ticket.reopen_count
        return f"sla:{self.kind}:{round_}"


async def breaches(clock: Clock | None = None, limit: int = 200) -> list[Breach]:
    now = utcnow(clock)
    late_answer = Complaint.filter(
        status__in=ACTIVE_STATUSES, first_response_at__isnull=True, first_response_due__lte=now
    )
    late_fix = Complaint.filter(status__in=ACTIVE_STATUSES, resolution_due__lte=now)
    found = [Breach(t, FIRST_RESPONSE) for t in await late_answer.order_by("id").limit(limit)]
    found += [Breach(t, RESOLUTION) for t in await late_fix.order_by("id").limit(limit)]
    return found


def lead_targets(settings: ComplaintSettings, admins: Sequence[str]) -> list[notifications.Target]:
    to = settings.team_lead or "|".join(admins)
    return [notifications.Target(notifications.TOUSER, to)] if to else []


async def escalate(
    breach: Breach, settings: ComplaintSettings, admins: Sequence[str], timezone: str,
    clock: Clock | None = None,
) -> list[ComplaintNotification]:  # fmt: skip
    """Queue the escalation unless it was queued before (then nothing)."""
    if await ComplaintNotification.exists(complaint_id=breach.ticket.id, key=breach.key):
        return []
    ticket = breach.ticket
    customer = await ticket.customer
    text = texts.escalation(ticket, customer, breach.kind, timezone)
    async with in_transaction() as conn:
        return await notifications.enqueue(
            ticket.id, breach.key, text, lead_targets(settings, admins), conn=conn, clock=clock
        )
