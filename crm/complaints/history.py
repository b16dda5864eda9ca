"""The one writer of a ticket's changes: the fields, a history row (who, when, from, to,
note) and an audit entry, all on the caller's transaction so they commit together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm import audit
from crm.actors import Actor
from crm.clock import Clock, utcnow
from crm.models import Complaint, ComplaintHistory
from crm.transactions import BaseDBAsyncClient

RESOURCE = "complaint"


@dataclass(frozen=True, slots=True)
class Change:
    action: str  # opened, message, ack, assign, note, resolve, close, category, reopen, rating
    fields: dict[str, Any]
    note: str | None = None


def snapshot(ticket: Complaint, names: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(ticket, name)) for name in names}


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


async def apply(
    ticket: Complaint, change: Change, *, actor: Actor, clock: Clock | None, conn: BaseDBAsyncClient
) -> Complaint:
    """Set `change.fields` on the ticket and record the change."""
    names = sorted({"status", *change.fields})
    before = snapshot(ticket, names)
    for name, value in change.fields.items():
        setattr(ticket, name, value)
    if change.fields:
        await ticket.save(using_db=conn, update_fields=list(change.fields))
    await write(ticket, change, before, actor=actor, clock=clock, conn=conn)
    return ticket


async def write(
    ticket: Complaint, change: Change, before: dict[str, Any], *,
    actor: Actor, clock: Clock | None, conn: BaseDBAsyncClient,
) -> None:  # fmt: skip
    after = snapshot(ticket, list(before))
    await ComplaintHistory.create(
        complaint_id=ticket.id, at=utcnow(clock), actor=actor.label, action=change.action,
        from_status=before["status"], to_status=after["status"], note=change.note,
        using_db=conn,
    )  # fmt: skip
    old, new = audit.changed(before, after)
    if change.note:
        new = {**new, "note": change.note}
    await audit.record(
        actor, f"complaint.{change.action}", RESOURCE, ticket.number or ticket.id,
        before=old, after=new, conn=conn, clock=clock,
    )  # fmt: skip
