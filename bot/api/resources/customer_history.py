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
from crm.models.surveys import ResponseStatus, SurveyAnswer, SurveyResponse
from crm.permissions import Action

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
    """The customer's points entries; the balance is the profile's points_balance."""
    q: NewestFirst = call.query
    qs = PointsEntry.filter(customer_id=await survivor_id(call["customer_id"]))
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[LedgerOut](items=[LedgerOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("GET", CUSTOMER + "/survey-answers", action=Action.SURVEYS_READ, tag="customers",
           query=NewestFirst, response=Page[ResponseOut])  # fmt: skip
async def survey_answers(call: Call) -> Page[ResponseOut]:
    """The surveys the customer was sent, each with the answers given so far."""
    q: NewestFirst = call.query
    qs = SurveyResponse.filter(customer_id=await survivor_id(call["customer_id"]))
    rows, cursor = await page_of(qs.prefetch_related("survey"), sort=q.sort, limit=q.limit,
                                 cursor=q.cursor)  # fmt: skip
    answers = await _answers([r.id for r in rows])
    items = [_response(r, answers.get(r.id, [])) for r in rows]
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


def _response(r: SurveyResponse, answers: list[AnswerOut]) -> ResponseOut:
    fields: dict[str, Any] = {"id": r.id, "survey_id": r.survey.id, "survey": r.survey.name,
                              "status": r.status, "source": r.source, "invited_at": r.invited_at,
                              "completed_at": r.completed_at}  # fmt: skip
    return ResponseOut(**fields, answers=answers)
