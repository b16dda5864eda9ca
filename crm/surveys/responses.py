"""One customer's way through a survey: invited, each answer read and stored, completed,
left or expired. The response row is the truth; the chat state only says which response and
question the customer's next message answers.

Advancing is a conditional update on the question being answered, so an answer delivered
twice (or read by two processes at once) moves the survey on once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import SurveyNotFound, SurveyNotSent
from crm.models import Customer
from crm.models.surveys import (
    ResponseStatus,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from crm.surveys import answers
from crm.surveys.questions import invitation_text, next_question, question_text

ACTIVE = (ResponseStatus.INVITED, ResponseStatus.IN_PROGRESS)
RETRY = "抱歉，没能看懂您的回答，{hint}。"
GAVE_UP = "没关系，这次调查就先到这里。感谢您抽出时间，如有需要随时联系我们！"
LEFT = "好的，已为您退出本次调查。感谢您抽出时间！"


@dataclass(frozen=True, slots=True)
class Invitation:
    response_id: int
    survey_id: int
    position: int
    text: str
    expires_at: datetime


class Step(StrEnum):
    NEXT = "next"  # the next question is asked
    RETRY = "retry"  # unreadable: the same question again, with a hint
    DONE = "done"  # completed: the thank-you text
    LEFT = "left"  # 退出, or unreadable twice
    OVER = "over"  # expired, or this question was answered already: the chat returns to normal


@dataclass(frozen=True, slots=True)
class Outcome:
    step: Step
    text: str | None = None
    position: int | None = None
    expires_at: datetime | None = None


async def questions_of(survey_id: int) -> list[SurveyQuestion]:
    return await SurveyQuestion.filter(survey_id=survey_id).order_by("position")


async def get_survey(survey_id: int) -> Survey:
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        raise SurveyNotFound(f"survey {survey_id}")
    return survey


async def invite(
    survey_id: int, customer: Customer, *, source: str, expiry_seconds: float,
    marketing: bool = False, clock: Clock = SYSTEM_CLOCK,
) -> Invitation:  # fmt: skip
    """A new response waiting for the first answer, and the message that asks for it.
    `marketing` (a segment send): an opted-out customer is not asked."""
    survey, questions = await get_survey(survey_id), await questions_of(survey_id)
    await _check_reachable(customer, marketing, clock)
    first, now = questions[0], clock.now()
    expires = now + timedelta(seconds=expiry_seconds)
    response = await SurveyResponse.create(
        survey=survey, customer=customer, current=first.position, source=source,
        invited_at=now, expires_at=expires,
    )  # fmt: skip
    forget_none_live()  # after the row exists: a look begun before it is not trusted
    text = invitation_text(survey.intro, first, len(questions))
    return Invitation(response.id, survey.id, first.position, text, expires)


async def _check_reachable(customer: Customer, marketing: bool, clock: Clock) -> None:
    """Read from the database each time: who may be asked is never cached."""
    fresh = await Customer.get(id=customer.id)
    if not fresh.openid:
        raise SurveyNotSent(f"customer {customer.id} has no Official Account openid")
    if marketing and fresh.opted_out:
        raise SurveyNotSent(f"customer {customer.id} opted out")
    if await live_response(customer.id, clock) is not None:
        raise SurveyNotSent(f"customer {customer.id} is answering another survey")


async def question_now(response_id: int) -> str | None:
    """The question a response in progress waits on, as it was asked (None: none). Expiry
    is the chat state's: a state that came back has not expired."""
    response = await SurveyResponse.get_or_none(id=response_id, status__in=ACTIVE)
    if response is None or response.current is None:
        return None
    questions = await questions_of(response.survey_id)
    asked = next((q for q in questions if q.position == response.current), None)
    return None if asked is None else question_text(asked, len(questions))


async def live_response(customer_id: int, clock: Clock = SYSTEM_CLOCK) -> SurveyResponse | None:
    """The customer's survey waiting for an answer, if any (one at a time, see invite)."""
    live = SurveyResponse.filter(customer_id=customer_id, status__in=ACTIVE)
    return await live.filter(expires_at__gt=clock.now()).order_by("-id").first()


# Reading a survey answer from the database when the store has no state for the chat cost a
# query per inbound message: 0.56x the webhook's throughput with nlp off (bench/webhook.py,
# one run). When no survey is live anywhere (the usual case) one EXISTS answers for every
# message for NO_LIVE_SECONDS; a survey started in another process meanwhile is read at most
# that much later (one started here is seen at once). It never decides who may be messaged.
NO_LIVE_SECONDS = 2.0
_none_live_until = 0.0  # monotonic time until which no live survey is assumed
# One look at a time: when the 2 s run out, every message arriving while the EXISTS waits its
# turn on the database thread would ask again (50 at once under wrk's 50 connections).
_checking: asyncio.Future[bool] | None = None
_generation = 0  # bumped by forget_none_live: a look begun before it is not trusted


async def any_live(clock: Clock = SYSTEM_CLOCK) -> bool:
    """Whether any customer may have a survey waiting for an answer."""
    global _checking
    if time.monotonic() < _none_live_until:
        return False
    if _checking is None or _finished_or_foreign(_checking):
        _checking = asyncio.ensure_future(_look(clock, _generation))
    return await asyncio.shield(_checking)


def _finished_or_foreign(look: asyncio.Future[bool]) -> bool:
    """Done, or begun on another event loop (each test runs its own)."""
    return look.done() or look.get_loop() is not asyncio.get_running_loop()


async def _look(clock: Clock, generation: int) -> bool:
    global _none_live_until
    if await SurveyResponse.filter(status__in=ACTIVE, expires_at__gt=clock.now()).exists():
        return True
    if generation == _generation:  # no survey started here while we looked
        _none_live_until = time.monotonic() + NO_LIVE_SECONDS
    return False


def forget_none_live() -> None:
    """A survey was just started in this process (or tests start over)."""
    global _none_live_until, _checking, _generation
    _none_live_until, _checking, _generation = 0.0, None, _generation + 1


async def withdraw(response_id: int) -> None:
    """The invitation never reached the customer: as if it had not been made."""
    await SurveyResponse.filter(id=response_id, status=ResponseStatus.INVITED).delete()


async def answer(
    response_id: int, position: int, text: str, *, tries: int = 0, clock: Clock = SYSTEM_CLOCK
) -> Outcome:
    """The customer's message read as the answer to question `position`."""
    response = await SurveyResponse.get_or_none(id=response_id)
    if response is None or response.status not in ACTIVE or response.current != position:
        return Outcome(Step.OVER)
    if response.expires_at <= clock.now():
        await _finish(response, ResponseStatus.EXPIRED, clock)
        return Outcome(Step.OVER)
    questions = await questions_of(response.survey_id)
    question = next(q for q in questions if q.position == position)
    parsed = answers.parse(question.kind, text, question.options)
    if isinstance(parsed, answers.Invalid):
        return await _unreadable(response, parsed, tries, clock)
    if isinstance(parsed, answers.Leave):
        await _finish(response, ResponseStatus.ABANDONED, clock)
        return Outcome(Step.LEFT, LEFT)
    return await _advance(response, questions, question, parsed, clock)


async def _unreadable(
    response: SurveyResponse, parsed: answers.Invalid, tries: int, clock: Clock
) -> Outcome:
    if tries >= 1:
        await _finish(response, ResponseStatus.ABANDONED, clock)
        return Outcome(Step.LEFT, GAVE_UP)
    text = RETRY.format(hint=parsed.hint)
    return Outcome(Step.RETRY, text, response.current, response.expires_at)


async def _advance(
    response: SurveyResponse, questions: list[SurveyQuestion], question: SurveyQuestion,
    parsed: answers.Answer | answers.Skip, clock: Clock,
) -> Outcome:  # fmt: skip
    given = await _answers_by_position(response.id, questions)
    row = _answer_row(response, question, parsed)
    following = next_question(questions, question.position, {**given, question.position: row})
    try:
        async with in_transaction() as conn:
            if not await _move(response, question.position, following, clock, conn):
                return Outcome(Step.OVER)  # answered already (a retried delivery)
            await row.save(using_db=conn)
    except IntegrityError:
        return Outcome(Step.OVER)
    if following is None:
        survey = await Survey.get(id=response.survey_id)
        return Outcome(Step.DONE, survey.thanks)
    text = question_text(following, len(questions))
    return Outcome(Step.NEXT, text, following.position, response.expires_at)


def _answer_row(
    response: SurveyResponse, question: SurveyQuestion, parsed: answers.Answer | answers.Skip
) -> SurveyAnswer:
    if isinstance(parsed, answers.Skip):
        return SurveyAnswer(response_id=response.id, question_id=question.id, skipped=True)
    return SurveyAnswer(
        response_id=response.id, question_id=question.id, number=parsed.number,
        choices=list(parsed.choices) or None, text=parsed.text,
    )  # fmt: skip


async def _answers_by_position(
    response_id: int, questions: list[SurveyQuestion]
) -> dict[int, SurveyAnswer]:
    position = {q.id: q.position for q in questions}
    rows = await SurveyAnswer.filter(response_id=response_id)
    return {position[r.question_id]: r for r in rows}


async def _move(
    response: SurveyResponse, at: int, following: SurveyQuestion | None, clock: Clock, conn: object
) -> bool:
    """From question `at` to the next one (or completed), only if still at `at`."""
    now = clock.now()
    changes: dict[str, object] = {"current": following.position if following else None}
    changes["status"] = ResponseStatus.IN_PROGRESS if following else ResponseStatus.COMPLETED
    if following is None:
        changes["completed_at"] = now
    if response.started_at is None:
        changes["started_at"] = now
    rows = SurveyResponse.filter(id=response.id, current=at, status__in=ACTIVE)
    return bool(await rows.using_db(conn).update(**changes))  # type: ignore[arg-type]


async def _finish(response: SurveyResponse, status: ResponseStatus, clock: Clock) -> None:
    await SurveyResponse.filter(id=response.id, status__in=ACTIVE).update(
        status=status, completed_at=clock.now() if status is ResponseStatus.COMPLETED else None
    )


async def expire_due(clock: Clock = SYSTEM_CLOCK) -> int:
    """Responses whose time ran out, marked expired (results count them right)."""
    due = SurveyResponse.filter(status__in=ACTIVE, expires_at__lte=clock.now())
    return await due.update(status=ResponseStatus.EXPIRED)
