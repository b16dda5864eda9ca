"""Reading tickets: the open ones oldest first, one ticket's detail with its history and
messages, and when the customer last wrote (the customer-service window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crm.actors import Actor
from crm.complaints.handling import find
from crm.models import (
    ACTIVE_STATUSES,
    Complaint,
    ComplaintHistory,
    ComplaintMessage,
    Customer,
    Direction,
    Interaction,
)


@dataclass(frozen=True, slots=True)
class Detail:
    ticket: Complaint
    customer: Customer
    history: list[ComplaintHistory]
    messages: list[ComplaintMessage]


async def open_tickets(*, actor: Actor, limit: int = 20) -> list[Complaint]:
    """Tickets still waiting for staff (open, acknowledged, reopened), oldest first."""
    return (
        await Complaint.filter(status__in=ACTIVE_STATUSES)
        .order_by("created_at", "id")
        .limit(limit)
        .prefetch_related("customer")
    )


async def detail(typed: str, *, actor: Actor) -> Detail:
    ticket = await find(typed)
    customer = await Customer.get(id=ticket.customer_id)  # type: ignore[attr-defined]
    history = await ComplaintHistory.filter(complaint_id=ticket.id).order_by("at", "id")
    messages = await ComplaintMessage.filter(complaint_id=ticket.id).order_by("at", "id")
    return Detail(ticket, customer, history, messages)


async def last_inbound(customer_id: int) -> datetime | None:
    """When the customer last wrote (opens WeChat's 48-hour customer-service window)."""
    row = (
        await Interaction.filter(customer_id=customer_id, direction=Direction.IN)
        .exclude(kind__startswith="event:")
        .order_by("-created_at")
        .first()
        .values("created_at")
    )
    return None if row is None else row["created_at"]
