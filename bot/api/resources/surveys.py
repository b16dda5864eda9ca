"""/v1/surveys: create (the body is the definition `siyu survey create` reads), list, read,
replace and delete (only a survey never sent: 409 otherwise), send (to a customer by id or
openid now, or to a segment through the campaign outbox, as `siyu survey send`) and results
(as `siyu survey results`). Every write commits with its audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from bot.keys import PIPELINE, SETTINGS, STORE
from bot.wechat.errors import WeChatError
from crm.errors import NotFound, SurveyNotSent
from crm.models import Customer
from crm.models.surveys import Survey
from crm.permissions import Action
from crm.privacy import mask_text, record_text_read
from crm.surveys.definitions import (
    SurveyDefinition,
    create_survey,
    delete_survey,
    replace_survey,
    survey_json,
)
from crm.surveys.outbox import send_to_segment
from crm.surveys.responses import get_survey, questions_of
from crm.surveys.results import results
from handlers.surveys import invite_and_send

TAG = "surveys"
SURVEY = "/v1/surveys/{survey_id}"
Id = Field(None, ge=1, le=2**31 - 1)


class QuestionOut(Out):
    position: int
    type: str
    text: str
    options: list[str]
    skip_if: dict[str, Any] | None


class SurveyOut(Out):
    id: int
    name: str
    intro: str
    thanks: str
    questions: list[QuestionOut]


class SurveyRow(Out):
    id: int
    name: str
    created_at: datetime


class SurveyQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name", "created_at", "-created_at"] = "-id"


class SendBody(Strict):
    """Exactly one of customer_id, openid, segment_id."""

    customer_id: int | None = Id
    openid: str | None = Field(None, min_length=1, max_length=64)
    segment_id: int | None = Id

    @model_validator(mode="after")
    def _one_target(self) -> SendBody:
        given = [v for v in (self.customer_id, self.openid, self.segment_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of customer_id, openid, segment_id")
        return self


class Skipped(Out):
    customer: int
    reason: str


class SendOut(Out):
    survey: int
    sent: int | None = Field(None, description="one customer: 1 sent, 0 not")
    skipped: list[Skipped] | None = None
    failed: list[Skipped] | None = None
    run_id: int | None = Field(None, description="a segment: the outbox run the workers send")
    targeted: int | None = None


class ResultsOut(Out):
    survey: dict[str, Any]
    responses: int
    started: int
    completed: int
    abandoned: int
    expired: int
    response_rate: float | None
    completion_rate: float | None
    nps: float | None
    csat: float | None
    questions: list[dict[str, Any]]


async def _json(survey: Survey) -> dict[str, Any]:
    return survey_json(survey, await questions_of(survey.id))


@API.route("GET", "/v1/surveys", action=Action.SURVEYS_READ, tag=TAG,
           query=SurveyQuery, response=Page[SurveyRow])  # fmt: skip
async def list_surveys(call: Call) -> Page[SurveyRow]:
    """Surveys, newest first."""
    q: SurveyQuery = call.query
    rows, cursor = await page_of(Survey.all(), sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[SurveyRow](items=[SurveyRow.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("GET", SURVEY, action=Action.SURVEYS_READ, tag=TAG, response=SurveyOut)
async def get_survey_definition(call: Call) -> SurveyOut:
    """One survey with its questions."""
    return SurveyOut.model_validate(await _json(await get_survey(call["survey_id"])))


@API.route("POST", "/v1/surveys", action=Action.SURVEYS_WRITE, tag=TAG,
           body=SurveyDefinition, response=SurveyOut, status=201)  # fmt: skip
async def create_survey_definition(call: Call) -> SurveyOut:
    """Create a survey from the definition `siyu survey create` reads."""
    async with in_transaction() as tx:
        survey = await create_survey(call.body)
        after = await _json(survey)
        await audited(call, tx, "surveys.create", "survey", survey.id, after=after)
    return SurveyOut.model_validate(after)


@API.route("PUT", SURVEY, action=Action.SURVEYS_WRITE, tag=TAG,
           body=SurveyDefinition, response=SurveyOut)  # fmt: skip
async def replace_survey_definition(call: Call) -> SurveyOut:
    """Replace the definition of a survey never sent (409 once it has responses or went to
    a segment)."""
    async with in_transaction() as tx:
        before = await _json(await get_survey(call["survey_id"]))
        after = await _json(await replace_survey(call["survey_id"], call.body))
        await audited(call, tx, "surveys.update", "survey", call["survey_id"],
                      before=before, after=after)  # fmt: skip
    return SurveyOut.model_validate(after)


@API.route("DELETE", SURVEY, action=Action.SURVEYS_WRITE, tag=TAG)
async def delete_survey_definition(call: Call) -> None:
    """Delete a survey never sent (409 once it has responses or went to a segment)."""
    async with in_transaction() as tx:
        before = await _json(await get_survey(call["survey_id"]))
        await delete_survey(call["survey_id"])
        await audited(call, tx, "surveys.delete", "survey", call["survey_id"], before=before)


async def _customer(body: SendBody) -> Customer:
    where = {"id": body.customer_id} if body.customer_id else {"openid": body.openid}
    found = await Customer.get_or_none(**where)
    if found is None:
        raise NotFound(f"客户 {body.customer_id or body.openid} 不存在")
    return found


async def _send_one(call: Call, survey_id: int, customer: Customer) -> SendOut:
    app = call.request.config_dict
    out = SendOut(survey=survey_id, sent=0, skipped=[], failed=[])
    try:
        await invite_and_send(app[STORE], app[PIPELINE].messenger, app[SETTINGS].surveys,
                              survey_id, customer, source="api")  # fmt: skip
        out.sent = 1
    except SurveyNotSent as exc:
        out.skipped = [Skipped(customer=customer.id, reason=str(exc))]
    except WeChatError as exc:
        out.failed = [Skipped(customer=customer.id, reason=type(exc).__name__)]
    return out


async def _send_segment(call: Call, survey_id: int, segment_id: int) -> SendOut:
    settings = call.request.config_dict[SETTINGS]
    run = await send_to_segment(
        survey_id, segment_id, expiry_seconds=settings.surveys.expiry_seconds, actor=call.actor,
        settings=settings.crm.campaigns,
    )  # fmt: skip
    return SendOut(survey=survey_id, run_id=run.run_id, targeted=run.targeted)


@API.route("POST", SURVEY + "/send", action=Action.SURVEYS_WRITE, tag=TAG,
           body=SendBody, response=SendOut)  # fmt: skip
async def send_survey(call: Call) -> SendOut:
    """Invite one customer now (customer_id or openid), or a segment through the campaign
    outbox within the sending rules and the frequency cap (segment_id)."""
    survey = await get_survey(call["survey_id"])
    body: SendBody = call.body
    if body.segment_id is not None:
        out = await _send_segment(call, survey.id, body.segment_id)
    else:
        out = await _send_one(call, survey.id, await _customer(body))
    async with in_transaction() as tx:
        after = {**body.model_dump(exclude_none=True), **out.model_dump(exclude_none=True)}
        await audited(call, tx, "surveys.send", "survey", survey.id, after=after)
    return out


@API.route("GET", SURVEY + "/results", action=Action.SURVEYS_READ, tag=TAG, response=ResultsOut)
async def survey_results(call: Call) -> ResultsOut:
    """Responses, completion, NPS, CSAT, each question's distribution, free-text answers
    (phone and ID numbers inside them masked unless admin)."""
    found = await results(call["survey_id"])
    answers = [a for q in found["questions"] for a in q.get("texts", ())]
    await record_text_read(call.actor, "survey", call["survey_id"], [a["text"] for a in answers],
                           request_id=call.request_id)  # fmt: skip
    for answer in answers:
        answer["text"] = mask_text(call.actor.role, answer["text"])
    return ResultsOut.model_validate(found)
