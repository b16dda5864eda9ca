"""What staff do with a ticket: acknowledge, assign, note, resolve, close, re-categorise.
Each checks the ticket's status, stamps the first response, and writes history and audit in
one transaction with the change. The caller (a door) has checked the actor's permission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crm.actors import Actor
from crm.clock import Clock, utcnow
from crm.complaints import history, notifications, numbers, texts
from crm.complaints.config import ComplaintSettings
from crm.complaints.history import Change
from crm.errors import ComplaintNotFound, ComplaintStateError, InvalidComplaintInput
from crm.models import Complaint, ComplaintStatus
from crm.transactions import BaseDBAsyncClient, in_transaction

S = ComplaintStatus
_NOT_CLOSED = (S.OPEN, S.ACKNOWLEDGED, S.REOPENED, S.RESOLVED)
_UNRESOLVED = (S.OPEN, S.ACKNOWLEDGED, S.REOPENED)


async def find(typed: str, conn: BaseDBAsyncClient | None = None) -> Complaint:
    """The ticket by number, with or without the C prefix (ComplaintNotFound)."""
    number = numbers.normalise(typed)
    ticket = None
    if number is not None:
        query = Complaint.filter(number=number)
        ticket = await (query.using_db(conn) if conn else query).first()
    if ticket is None:
        raise ComplaintNotFound(f"no ticket {typed!r}")
    return ticket


async def _change(
    typed: str, allowed: tuple[ComplaintStatus, ...], build: Any, *,
    actor: Actor, clock: Clock | None,
) -> Complaint:  # fmt: skip
    """Lock the ticket, check its status, apply what `build(ticket, now)` returns."""
    async with in_transaction() as conn:
        found = await find(typed, conn)
        ticket = await Complaint.select_for_update().using_db(conn).get(id=found.id)
        if ticket.status not in allowed:
            raise ComplaintStateError(ticket.number, ticket.status.value)
        now = utcnow(clock)
        change: Change = build(ticket, now)
        if ticket.first_response_at is None:
            change.fields.setdefault("first_response_at", now)
        return await history.apply(ticket, change, actor=actor, clock=clock, conn=conn)


async def acknowledge(typed: str, *, actor: Actor, clock: Clock | None = None) -> Complaint:
    def build(ticket: Complaint, _: object) -> Change:
        return Change("ack", {"status": S.ACKNOWLEDGED, "assignee": ticket.assignee or actor.id})

    return await _change(typed, (S.OPEN, S.REOPENED), build, actor=actor, clock=clock)


async def assign(
    typed: str, assignee: str, *, actor: Actor, clock: Clock | None = None
) -> Complaint:
    if not assignee.strip():
        raise InvalidComplaintInput("assignee missing")

    def build(ticket: Complaint, _: object) -> Change:
        return Change("assign", {"assignee": assignee.strip()[:64]}, f"指派给 {assignee}")

    return await _change(typed, _NOT_CLOSED, build, actor=actor, clock=clock)


async def tell_assignee(
    ticket: Complaint, *, by: Actor, timezone: str, clock: Clock | None = None
) -> list[int]:
    """Queue a WeCom notice to the new assignee (once per assignee); the notification ids."""
    if not ticket.assignee or ticket.assignee == by.id:
        return []
    customer = await ticket.customer
    text = texts.assigned(ticket, customer, by.name or by.id, timezone)
    to = [notifications.Target(notifications.TOUSER, ticket.assignee)]
    async with in_transaction() as conn:
        key = f"assign:{ticket.assignee}"[:48]
        rows = await notifications.enqueue(ticket.id, key, text, to, conn=conn, clock=clock)
    return [row.id for row in rows]


async def note(typed: str, text: str, *, actor: Actor, clock: Clock | None = None) -> Complaint:
    if not text.strip():
        raise InvalidComplaintInput("note missing")
    every = tuple(ComplaintStatus)
    return await _change(
        typed, every, lambda t, _: Change("note", {}, text.strip()), actor=actor, clock=clock
    )


async def resolve(
    typed: str, resolution: str, *, actor: Actor, clock: Clock | None = None
) -> Complaint:
    if not resolution.strip():
        raise InvalidComplaintInput("resolution missing")

    def build(ticket: Complaint, now: object) -> Change:
        fields = {"status": S.RESOLVED, "resolution": resolution.strip(), "resolved_at": now,
                  "satisfaction": None, "satisfaction_asked_at": None}  # fmt: skip
        return Change("resolve", fields, resolution.strip()[:200])

    return await _change(typed, _UNRESOLVED, build, actor=actor, clock=clock)


async def close(typed: str, *, actor: Actor, clock: Clock | None = None) -> Complaint:
    def build(ticket: Complaint, now: object) -> Change:
        return Change("close", {"status": S.CLOSED, "closed_at": now})

    return await _change(typed, _NOT_CLOSED, build, actor=actor, clock=clock)


async def recategorise(
    typed: str, category: str, settings: ComplaintSettings, *, actor: Actor,
    clock: Clock | None = None,
) -> Complaint:  # fmt: skip
    if category not in settings.category_names():
        raise InvalidComplaintInput(f"unknown category {category!r}")

    def build(ticket: Complaint, _: object) -> Change:
        return Change("category", {"category": category}, f"{ticket.category} → {category}")

    return await _change(typed, tuple(ComplaintStatus), build, actor=actor, clock=clock)


async def record_outcome(
    ticket_id: int, note_text: str, *, actor: Actor, asked: bool, clock: Clock | None = None
) -> None:
    """What became of pushing the resolution to the customer (sent, or the window closed)."""
    fields = {"satisfaction_asked_at": utcnow(clock)} if asked else {}
    async with in_transaction() as conn:
        ticket = await Complaint.filter(id=ticket_id).using_db(conn).get()
        await history.apply(ticket, Change("notify", fields, note_text), actor=actor,
                            clock=clock, conn=conn)  # fmt: skip


def window_open(last_inbound: Any, now: Any, hours: float = 48) -> bool:
    return last_inbound is not None and now - last_inbound < timedelta(hours=hours)
