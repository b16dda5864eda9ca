"""/v1/customers/{id}/ledger and /survey-answers: a customer's points entries (earned,
redeemed, expired, adjusted, with what is left of each credit) and the surveys they were sent
with their answers, newest first. A merged-away id reads the record it was merged into."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.api.models import Out
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from crm.customers import survivor_id
from crm.models import PointsEntry
from crm.models.points import PointsKind
from crm.models.staff import Role
from crm.models.surveys import ResponseStatus, SurveyAnswer, SurveyResponse
from crm.permissions import Action
from crm.privacy import mask_text, record_text_read

CUSTOMER = "/v1/customers/{customer_id}"


class LedgerOut(Out):
    id: int
    kind: PointsKind
    amount: int
    remaining: int
    expires_at: datetime | None
    note: str | None
    created_at: datetime


class AnswerOut(Out):
    position: int
    question: str
    kind: str
    number: int | None
    choices: list[int] | None
    text: str | None
    skipped: bool


class ResponseOut(Out):
    id: int
    survey_id: int
    survey: str
    status: ResponseStatus
    source: str
    invited_at: datetime
    completed_at: datetime | None
    answers: list[AnswerOut]


class NewestFirst(PageQuery):
    sort: Literal["-id", "id"] = "-id"


@API.route("GET", CUSTOMER + "/ledger", action=Action.CUSTOMERS_READ, tag="customers",
           query=NewestFirst, response=Page[LedgerOut])  # fmt: skip
async def points_ledger(call: Call) -> Page[LedgerOut]:
    """The customer's points entries; the balance is the profile's points_balance (phone and
    ID numbers inside notes masked unless admin)."""
    q: NewestFirst = call.query
    customer_id = await survivor_id(call["customer_id"])
    qs = PointsEntry.filter(customer_id=customer_id)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    await record_text_read(call.actor, "customer", customer_id, [r.note for r in rows],
                           request_id=call.request_id)  # fmt: skip
    items = [_entry(r, call.actor.role) for r in rows]
    return Page[LedgerOut](items=items, next_cursor=cursor)


def _entry(row: PointsEntry, role: Role | None) -> LedgerOut:
    entry = LedgerOut.model_validate(row)
    return entry.model_copy(update={"note": mask_text(role, entry.note)})


@API.route("GET", CUSTOMER + "/survey-answers", action=Action.SURVEYS_READ, tag="customers",
           query=NewestFirst, response=Page[ResponseOut])  # fmt: skip
async def survey_answers(call: Call) -> Page[ResponseOut]:
    """The surveys the customer was sent, each with the answers given so far (phone and ID
    numbers inside free-text answers masked unless admin)."""
    q: NewestFirst = call.query
    customer_id = await survivor_id(call["customer_id"])
    qs = SurveyResponse.filter(customer_id=customer_id)
    rows, cursor = await page_of(qs.prefetch_related("survey"), sort=q.sort, limit=q.limit,
                                 cursor=q.cursor)  # fmt: skip
    answers = await _answers([r.id for r in rows])
    texts = [a.text for found in answers.values() for a in found]
    await record_text_read(call.actor, "customer", customer_id, texts, request_id=call.request_id)
    role = call.actor.role
    items = [_response(r, _masked(answers.get(r.id, []), role)) for r in rows]
    return Page[ResponseOut](items=items, next_cursor=cursor)


async def _answers(response_ids: list[int]) -> dict[int, list[AnswerOut]]:
    rows = await SurveyAnswer.filter(response_id__in=response_ids).prefetch_related("question")
    found: dict[int, list[AnswerOut]] = {}
    for a in sorted(rows, key=lambda a: a.question.position):
        found.setdefault(a.response_id, []).append(_answer(a))  # type: ignore[attr-defined]
    return found


def _answer(a: SurveyAnswer) -> AnswerOut:
    q = a.question
    return AnswerOut(position=q.position, question=q.text, kind=q.kind.value, number=a.number,
                     choices=a.choices, text=a.text, skipped=a.skipped)  # fmt: skip


def _masked(answers: list[AnswerOut], role: Role | None) -> list[AnswerOut]:
    return [a.model_copy(update={"text": mask_text(role, a.text)}) for a in answers]


def _response(r: SurveyResponse, answers: list[AnswerOut]) -> ResponseOut:
    fields: dict[str, Any] = {"id": r.id, "survey_id": r.survey.id, "survey": r.survey.name,
                              "status": r.status, "source": r.source, "invited_at": r.invited_at,
                              "completed_at": r.completed_at}  # fmt: skip
    return ResponseOut(**fields, answers=answers)
