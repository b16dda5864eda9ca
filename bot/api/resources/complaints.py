"""/v1/complaints: the tickets, filtered (status, category, severity, assignee, SLA breached),
one ticket with its history and messages, the staff actions (acknowledge, assign, note,
resolve, close, recategorise) and the analysis over a period.

The actions are crm.complaints' service functions, the ones the WeCom staff commands call:
they write the ticket's history and its audit row in one transaction (stamped with this
request's id), so nothing here audits them a second time. The customer's name and phone are
masked for roles without pii.read; an admin's unmasked read is a `pii.read` row per customer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.keys import PIPELINE, SETTINGS
from crm import complaints
from crm.clock import SYSTEM_CLOCK
from crm.complaints import config as complaint_config
from crm.complaints.handling import tell_assignee
from crm.errors import ComplaintNotFound, InvalidInput
from crm.models import (
    ACTIVE_STATUSES,
    Complaint,
    ComplaintSeverity,
    ComplaintStatus,
    Customer,
)
from crm.permissions import Action
from crm.privacy import Personal, mask_text, masked, record_text_read, record_unmasked_read
from handlers.complaints import on_resolved, tell_customer

TAG = "complaints"
TICKET = "/v1/complaints/{complaint_id}"
Text = Field(min_length=1, max_length=2000)


class CustomerBrief(Out):
    id: int
    display_name: str | None = Field(description="masked unless the role may read it")
    phone: str | None = Field(description="masked unless the role may read it")


class ComplaintOut(Out):
    id: int
    number: str | None
    status: ComplaintStatus
    category: str
    severity: ComplaintSeverity
    assignee: str | None
    summary: str | None
    resolution: str | None
    satisfaction: int | None
    reopen_count: int
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    sla_breached: bool
    customer: CustomerBrief


class ResolvedOut(ComplaintOut):
    customer_told: str = Field(description="whether the resolution reached the customer")


class HistoryOut(Out):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None


class MessageOut(Out):
    at: datetime
    text: str


class DetailOut(ComplaintOut):
    history: list[HistoryOut]
    messages: list[MessageOut]


class ComplaintQuery(PageQuery):
    sort: Literal["id", "-id", "created_at", "-created_at"] = "-created_at"
    status: ComplaintStatus | None = None
    category: str | None = Field(None, min_length=1, max_length=16)
    severity: ComplaintSeverity | None = None
    assignee: str | None = Field(None, min_length=1, max_length=64, description="WeCom userid")
    sla_breached: bool | None = Field(
        None, description="true: still waiting for staff and past a deadline (as escalation)"
    )
    open: bool | None = Field(
        None, description="true: still to handle (new, acknowledged, reopened…); false: done"
    )
    customer_id: int | None = Field(None, ge=1, description="one customer's tickets")


class AssignBody(Strict):
    assignee: str = Field(min_length=1, max_length=64, pattern=r"\S", description="WeCom userid")


class NoteBody(Strict):
    text: str = Text


class ResolveBody(Strict):
    resolution: str = Text


class CategoryBody(Strict):
    category: str = Field(min_length=1, max_length=16, description="one of complaints.categories")


class PeriodQuery(Strict):
    start: datetime = Field(description="tickets opened from (inclusive), with a UTC offset")
    end: datetime = Field(description="until (exclusive), with a UTC offset")

    @model_validator(mode="after")
    def _ordered(self) -> PeriodQuery:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end need a UTC offset")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class DurationsOut(Out):
    count: int
    median_seconds: float | None
    p90_seconds: float | None


class AnalysisOut(Out):
    start: datetime
    end: datetime
    total: int
    by_category: dict[str, int]
    by_severity: dict[str, int]
    first_response: DurationsOut
    resolution: DurationsOut
    sla_breach_rate: float | None
    reopen_rate: float | None
    satisfaction_avg: float | None
    satisfaction_share_4_5: float | None
    rated: int
    top_keywords: dict[str, list[tuple[str, int]]]


def _breached(now: datetime) -> Q:
    """As crm.complaints.sla.breaches: waiting for staff and past a deadline."""
    late_answer = Q(first_response_at__isnull=True, first_response_due__lte=now)
    return Q(Q(status__in=ACTIVE_STATUSES), Q(late_answer | Q(resolution_due__lte=now)))


def _is_breached(t: Complaint, now: datetime) -> bool:
    """The same test on one ticket."""
    due = [t.first_response_due if t.first_response_at is None else None, t.resolution_due]
    return t.status in ACTIVE_STATUSES and any(d is not None and d <= now for d in due)


def _brief(call: Call, customer: Customer) -> CustomerBrief:
    role = call.actor.role
    name = masked(role, Personal.NAME, customer.display_name)
    return CustomerBrief(id=customer.id, display_name=name,
                         phone=masked(role, Personal.PHONE, customer.phone))  # fmt: skip


def _fields(call: Call, t: Complaint, customer: Customer) -> dict[str, Any]:
    names = [n for n in ComplaintOut.model_fields if n not in ("sla_breached", "customer")]
    data = {n: getattr(t, n) for n in names}
    for free in ("summary", "resolution"):
        data[free] = mask_text(call.actor.role, data[free])
    return {**data, "sla_breached": _is_breached(t, SYSTEM_CLOCK.now()),
            "customer": _brief(call, customer)}  # fmt: skip


async def _shown(call: Call, customer_ids: list[int]) -> None:
    await record_unmasked_read(call.actor, "customer", sorted(set(customer_ids)),
                               ["name", "phone"], request_id=call.request_id)  # fmt: skip


async def _texts_shown(call: Call, tickets: list[Complaint], more: Sequence[str | None]) -> None:
    """An admin shown the tickets' texts (and `more`) with personal numbers in them."""
    for t in tickets:
        texts = [t.summary, t.resolution, *more]
        await record_text_read(call.actor, "customer", t.customer_id, texts,  # type: ignore[attr-defined]
                               request_id=call.request_id)  # fmt: skip


async def _number(complaint_id: int) -> str:
    """The ticket number the services take (they find tickets as staff type them)."""
    ticket = await Complaint.get_or_none(id=complaint_id)
    if ticket is None or ticket.number is None:
        raise ComplaintNotFound(f"投诉 {complaint_id} 不存在")
    return ticket.number


async def _answer(call: Call, ticket: Complaint) -> ComplaintOut:
    customer = await Customer.get(id=ticket.customer_id)  # type: ignore[attr-defined]
    await _shown(call, [customer.id])
    await _texts_shown(call, [ticket], [])
    return ComplaintOut.model_validate(_fields(call, ticket, customer))


@API.route("GET", "/v1/complaints/analysis", action=Action.COMPLAINTS_READ, tag=TAG,
           query=PeriodQuery, response=AnalysisOut)  # fmt: skip
async def complaint_analysis(call: Call) -> AnalysisOut:
    """Tickets opened in [start, end): by category and severity, time to first response and
    to resolution (median, p90), SLA breach and reopen rates, satisfaction, top keywords."""
    found = await complaints.analyse(call.query.start, call.query.end)
    return AnalysisOut.model_validate(found.as_json())


def _filtered(q: ComplaintQuery) -> QuerySet[Complaint]:
    names = ("status", "category", "severity", "assignee", "customer_id")
    qs = Complaint.filter(**{n: getattr(q, n) for n in names if getattr(q, n) is not None})
    if q.open is not None:
        active = Q(status__in=ACTIVE_STATUSES)
        qs = qs.filter(active) if q.open else qs.filter(~active)
    if q.sla_breached is not None:
        breached = _breached(SYSTEM_CLOCK.now())
        qs = qs.filter(breached) if q.sla_breached else qs.filter(~breached)
    return qs


@API.route("GET", "/v1/complaints", action=Action.COMPLAINTS_READ, tag=TAG,
           query=ComplaintQuery, response=Page[ComplaintOut])  # fmt: skip
async def list_complaints(call: Call) -> Page[ComplaintOut]:
    """Tickets, newest first by default, filtered by status, open or done, category,
    severity, assignee, customer and whether an SLA deadline has passed."""
    q: ComplaintQuery = call.query
    rows, cursor = await page_of(_filtered(q), sort=q.sort, limit=q.limit, cursor=q.cursor)
    people = {c.id: c for c in await Customer.filter(id__in=[r.customer_id for r in rows])}  # type: ignore[attr-defined]
    items = [ComplaintOut.model_validate(_fields(call, r, people[r.customer_id])) for r in rows]  # type: ignore[attr-defined]
    await _shown(call, list(people))
    await _texts_shown(call, rows, [])
    return Page[ComplaintOut](items=items, next_cursor=cursor)


@API.route("GET", TICKET, action=Action.COMPLAINTS_READ, tag=TAG, response=DetailOut)
async def get_complaint(call: Call) -> DetailOut:
    """One ticket with its history (who did what, when) and the customer's messages; phone
    and ID numbers inside the texts masked unless admin."""
    found = await complaints.detail(await _number(call["complaint_id"]), actor=call.actor)
    await _shown(call, [found.customer.id])
    texts = [h.note for h in found.history] + [m.text for m in found.messages]
    await _texts_shown(call, [found.ticket], texts)
    role = call.actor.role
    return DetailOut.model_validate({
        **_fields(call, found.ticket, found.customer),
        "history": [HistoryOut.model_validate(h).model_copy(
            update={"note": mask_text(role, h.note)}) for h in found.history],
        "messages": [MessageOut(at=m.at, text=mask_text(role, m.text) or "")
                     for m in found.messages],
    })  # fmt: skip


@API.route("POST", TICKET + "/acknowledge", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           response=ComplaintOut)  # fmt: skip
async def acknowledge_complaint(call: Call) -> ComplaintOut:
    """Acknowledge an open or reopened ticket (the caller becomes its assignee if none)."""
    number = await _number(call["complaint_id"])
    return await _answer(call, await complaints.acknowledge(number, actor=call.actor))


@API.route("POST", TICKET + "/assign", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           body=AssignBody, response=ComplaintOut)  # fmt: skip
async def assign_complaint(call: Call) -> ComplaintOut:
    """Assign the ticket to a WeCom user, who is sent a WeCom notice (queued)."""
    number = await _number(call["complaint_id"])
    ticket = await complaints.assign(number, call.body.assignee, actor=call.actor)
    await tell_assignee(ticket, by=call.actor, timezone=call.request.config_dict[SETTINGS].timezone)
    return await _answer(call, ticket)


@API.route("POST", TICKET + "/notes", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           body=NoteBody, response=ComplaintOut, status=201)  # fmt: skip
async def note_complaint(call: Call) -> ComplaintOut:
    """Add a handling note to the ticket's history."""
    number = await _number(call["complaint_id"])
    return await _answer(call, await complaints.note(number, call.body.text, actor=call.actor))


@API.route("POST", TICKET + "/resolve", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           body=ResolveBody, response=ResolvedOut)  # fmt: skip
async def resolve_complaint(call: Call) -> ResolvedOut:
    """Resolve the ticket with what was done. As /resolve in WeCom: the resolution and the
    1–5 question are pushed to the customer inside WeChat's 48-hour window (`customer_told`
    says what happened), then the survey configured after a resolved complaint follows."""
    number = await _number(call["complaint_id"])
    ticket = await complaints.resolve(number, call.body.resolution, actor=call.actor)
    messenger = call.request.config_dict[PIPELINE].messenger
    told = await tell_customer(messenger, ticket, call.actor, SYSTEM_CLOCK)
    await on_resolved(ticket.customer_id)  # type: ignore[attr-defined]
    answer = await _answer(call, await Complaint.get(id=ticket.id))
    return ResolvedOut(**answer.model_dump(), customer_told=told)


@API.route("POST", TICKET + "/close", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           response=ComplaintOut)  # fmt: skip
async def close_complaint(call: Call) -> ComplaintOut:
    """Close the ticket."""
    number = await _number(call["complaint_id"])
    return await _answer(call, await complaints.close(number, actor=call.actor))


@API.route("POST", TICKET + "/category", action=Action.COMPLAINTS_HANDLE, tag=TAG,
           body=CategoryBody, response=ComplaintOut)  # fmt: skip
async def recategorise_complaint(call: Call) -> ComplaintOut:
    """Change the ticket's category (one of the configured categories)."""
    settings = complaint_config.current()
    if call.body.category not in settings.category_names():
        choices = "、".join(settings.category_names())
        raise InvalidInput(f"未知类别\nbody.category: one of {choices}")
    number = await _number(call["complaint_id"])
    ticket = await complaints.recategorise(number, call.body.category, settings, actor=call.actor)
    return await _answer(call, ticket)
