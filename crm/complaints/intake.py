"""A customer's complaint coming in: a new ticket (numbered, classified, with SLA deadlines
and its staff notifications queued), or one more message on the open ticket; the answer to
the follow-up question; 没解决 reopening a recently resolved ticket; the satisfaction rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crm import sql
from crm.actors import Actor
from crm.clock import Clock, utcnow
from crm.complaints import classify, history, notifications, numbers, texts
from crm.complaints.config import ComplaintSettings
from crm.complaints.history import Change
from crm.errors import ComplaintStateError, InvalidComplaintInput
from crm.models import (
    ACTIVE_STATUSES,
    Complaint,
    ComplaintSeverity,
    ComplaintStatus,
    Customer,
)
from crm.transactions import BaseDBAsyncClient, in_transaction


@dataclass(frozen=True, slots=True)
class Intake:
    ticket: Complaint
    created: bool  # a new ticket (else the message joined the open one)
    recorded: bool  # False: this WeChat message was on the ticket already (a retry)
    queued: list[int]  # notification ids to try sending at once


@dataclass(frozen=True, slots=True)
class Incoming:
    customer: Customer
    text: str
    dedupe_key: str | None
    signals: classify.Signals
    timezone: str
    admins: tuple[str, ...] = ()


async def active_ticket(customer_id: int) -> Complaint | None:
    return (
        await Complaint.filter(customer_id=customer_id, status__in=ACTIVE_STATUSES)
        .order_by("-created_at")
        .first()
    )


async def complain(
    incoming: Incoming, settings: ComplaintSettings, *, actor: Actor, clock: Clock | None = None
) -> Intake:
    """Open a ticket, or add the message to the customer's open one."""
    async with in_transaction() as conn:
        ticket = await active_ticket(incoming.customer.id)
        if ticket is None:
            return await _open(incoming, settings, actor, clock, conn)
        recorded = await add_message(
            ticket, incoming, settings, actor=actor, clock=clock, conn=conn
        )
        return Intake(ticket, created=False, recorded=recorded, queued=[])


async def _open(
    incoming: Incoming, settings: ComplaintSettings, actor: Actor, clock: Clock | None,
    conn: BaseDBAsyncClient,
) -> Intake:  # fmt: skip
    now, text = utcnow(clock), incoming.text
    severity = classify.severity(text, incoming.signals, settings)
    ticket = await Complaint.create(
        customer_id=incoming.customer.id, summary=text[:500], created_at=now,
        number=await numbers.next_number(now, incoming.timezone, conn),
        category=classify.category(text, settings), severity=severity,
        **deadlines(now, severity, settings), using_db=conn,
    )  # fmt: skip
    await _message(ticket, text, incoming.dedupe_key, now, conn)
    opened = Change("opened", {}, note=f"{ticket.category}，紧急程度{texts.SEVERITY[severity]}")
    await history.write(ticket, opened, {"status": None}, actor=actor, clock=clock, conn=conn)
    rows = await _announce(ticket, incoming, "opened", settings, clock, conn)
    return Intake(ticket, created=True, recorded=True, queued=rows)


def deadlines(start: datetime, severity: ComplaintSeverity, settings: ComplaintSettings) -> dict:
    hours = settings.sla[severity]
    return {
        "first_response_due": start + timedelta(hours=hours.first_response),
        "resolution_due": start + timedelta(hours=hours.resolution),
    }


async def _announce(
    ticket: Complaint, incoming: Incoming, key: str, settings: ComplaintSettings,
    clock: Clock | None, conn: BaseDBAsyncClient,
) -> list[int]:  # fmt: skip
    text = texts.staff_notice(ticket, incoming.customer, incoming.text, key, incoming.timezone)
    to = notifications.targets(settings.notify, incoming.admins)
    rows = await notifications.enqueue(ticket.id, key, text, to, conn=conn, clock=clock)
    return [row.id for row in rows]


# One INSERT … ON CONFLICT, not a savepoint around an INSERT: three round trips to the
# database thread were one, on every complaint message (bench/webhook.py (c)).
_INSERT_MESSAGE = (
    'INSERT INTO "complaint_message" ("complaint_id", "at", "text", "dedupe_key") '
    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


async def _message(
    ticket: Complaint, text: str, dedupe_key: str | None, at: datetime, conn: BaseDBAsyncClient
) -> bool:
    """False when this WeChat message is on the ticket already."""
    return await sql.execute(_INSERT_MESSAGE, [ticket.id, at, text, dedupe_key], conn) == 1


async def add_message(
    ticket: Complaint, incoming: Incoming, settings: ComplaintSettings, *, actor: Actor,
    clock: Clock | None = None, conn: BaseDBAsyncClient, action: str = "message",
) -> bool:  # fmt: skip
    """The text joins the ticket (severity may rise, deadlines follow it); False on a retry."""
    if not await _message(ticket, incoming.text, incoming.dedupe_key, utcnow(clock), conn):
        return False
    found = classify.severity(incoming.text, incoming.signals, settings)
    severity = classify.raise_to(ticket.severity, found)
    fields: dict = {}
    if severity is not ticket.severity:
        fields = {"severity": severity, **deadlines(ticket.created_at, severity, settings)}
    note = incoming.text[:200]
    await history.apply(ticket, Change(action, fields, note), actor=actor, clock=clock, conn=conn)
    return True


async def answer(
    ticket_id: int, incoming: Incoming, settings: ComplaintSettings, *, actor: Actor,
    clock: Clock | None = None,
) -> Complaint:  # fmt: skip
    """The customer's answer to the follow-up question, added to the ticket."""
    async with in_transaction() as conn:
        ticket = await Complaint.filter(id=ticket_id).using_db(conn).get()
        await add_message(
            ticket, incoming, settings, actor=actor, clock=clock, conn=conn, action="details"
        )
        return ticket


async def reopenable(customer_id: int, settings: ComplaintSettings, clock: Clock | None = None
                     ) -> Complaint | None:  # fmt: skip
    """The customer's ticket resolved (or closed) within `reopen_days`, newest first."""
    since = utcnow(clock) - timedelta(days=settings.reopen_days)
    return (
        await Complaint.filter(
            customer_id=customer_id,
            status__in=(ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED),
            resolved_at__gte=since,
        )
        .order_by("-resolved_at")
        .first()
    )


async def reopen(
    ticket_id: int, incoming: Incoming, settings: ComplaintSettings, *, actor: Actor,
    clock: Clock | None = None,
) -> Intake:  # fmt: skip
    """没解决: back to `reopened`, a new resolution deadline, staff told again."""
    async with in_transaction() as conn:
        ticket = await Complaint.select_for_update().using_db(conn).get(id=ticket_id)
        if ticket.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
            raise ComplaintStateError(ticket.number, ticket.status.value)
        if not await _message(ticket, incoming.text, incoming.dedupe_key, utcnow(clock), conn):
            return Intake(ticket, created=False, recorded=False, queued=[])
        hours = settings.sla[ticket.severity].resolution
        fields = {
            "status": ComplaintStatus.REOPENED, "reopen_count": ticket.reopen_count + 1,
            "resolution_due": utcnow(clock) + timedelta(hours=hours), "closed_at": None,
        }  # fmt: skip
        change = Change("reopen", fields, incoming.text[:200])
        await history.apply(ticket, change, actor=actor, clock=clock, conn=conn)
        key = f"reopened:{ticket.reopen_count}"
        rows = await _announce(ticket, incoming, key, settings, clock, conn)
        return Intake(ticket, created=False, recorded=True, queued=rows)


async def awaiting_rating(customer_id: int, settings: ComplaintSettings,
                          clock: Clock | None = None) -> Complaint | None:  # fmt: skip
    """The resolved ticket whose satisfaction question is still unanswered."""
    since = utcnow(clock) - timedelta(days=settings.reopen_days)
    return (
        await Complaint.filter(
            customer_id=customer_id,
            satisfaction__isnull=True,
            satisfaction_asked_at__gte=since,
            status__in=(ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED),
        )
        .order_by("-satisfaction_asked_at")
        .first()
    )


async def rate(
    ticket_id: int, score: int, *, actor: Actor, clock: Clock | None = None
) -> Complaint:
    if not 1 <= score <= 5:
        raise InvalidComplaintInput(f"satisfaction {score} is not 1–5")
    async with in_transaction() as conn:
        ticket = await Complaint.select_for_update().using_db(conn).get(id=ticket_id)
        if ticket.satisfaction is not None:
            return ticket  # answered already (a retry or a second answer): the first stays
        change = Change("rating", {"satisfaction": score}, f"满意度 {score}")
        return await history.apply(ticket, change, actor=actor, clock=clock, conn=conn)
