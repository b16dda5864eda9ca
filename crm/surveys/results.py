"""A survey's results: responses, response and completion rates, NPS, CSAT, the distribution
of each question's answers, and the free-text answers with their sentiment (nlp)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import nlp
from crm.clock import SYSTEM_CLOCK, Clock
from crm.models.surveys import (
    QuestionType,
    ResponseStatus,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from crm.surveys.responses import expire_due, get_survey, questions_of


def nps(scores: list[int]) -> float | None:
    """Promoters (9–10) minus detractors (0–6), in % of the scores, one decimal."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores), 1)


def csat(scores: list[int]) -> float | None:
    """Share of 4 and 5, in %, one decimal."""
    if not scores:
        return None
    return round(100 * sum(1 for s in scores if s >= 4) / len(scores), 1)


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


async def results(survey_id: int, clock: Clock = SYSTEM_CLOCK) -> dict[str, Any]:
    """What `siyu survey results` prints (JSON-ready); responses whose time ran out are
    marked expired first, so they count as such."""
    survey = await get_survey(survey_id)
    await expire_due(clock)
    questions = await questions_of(survey_id)
    found = await SurveyResponse.filter(survey_id=survey_id).values_list("status", flat=True)
    statuses: Counter[str] = Counter(str(s) for s in found)
    invited = sum(statuses.values())
    answered = invited - statuses[ResponseStatus.INVITED] - statuses[ResponseStatus.EXPIRED]
    rows = await SurveyAnswer.filter(response__survey_id=survey_id, skipped=False)
    by_question = {q.id: [r for r in rows if r.question_id == q.id] for q in questions}
    summaries = [_question(q, by_question[q.id]) for q in questions]
    return {
        "survey": {"id": survey.id, "name": survey.name},
        "responses": invited, "started": answered,
        "completed": statuses[ResponseStatus.COMPLETED],
        "abandoned": statuses[ResponseStatus.ABANDONED],
        "expired": statuses[ResponseStatus.EXPIRED],
        "response_rate": _rate(answered, invited),
        "completion_rate": _rate(statuses[ResponseStatus.COMPLETED], invited),
        "nps": _score(questions, by_question, QuestionType.NPS, nps),
        "csat": _score(questions, by_question, QuestionType.CSAT, csat),
        "questions": summaries,
    }  # fmt: skip


def _score(
    questions: list[SurveyQuestion], rows: dict[int, list[SurveyAnswer]], kind: QuestionType,
    measure: Callable[[list[int]], float | None],
) -> float | None:  # fmt: skip
    """The measure over every question of `kind` (None when the survey has none)."""
    asked = [q for q in questions if q.kind is kind]
    scores = [r.number for q in asked for r in rows[q.id] if r.number is not None]
    return measure(scores) if asked else None


def _question(question: SurveyQuestion, rows: list[SurveyAnswer]) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "position": question.position, "type": question.kind.value, "text": question.text,
        "answers": len(rows),
    }  # fmt: skip
    if question.kind is QuestionType.TEXT:
        summary["texts"] = [_with_sentiment(r.text or "") for r in rows]
    else:
        summary["distribution"] = _distribution(question, rows)
    return summary


def _distribution(question: SurveyQuestion, rows: list[SurveyAnswer]) -> dict[str, int]:
    if question.kind is QuestionType.NPS:
        counts = Counter(r.number for r in rows)
        return {str(n): counts[n] for n in range(11)}
    if question.kind is QuestionType.CSAT:
        counts = Counter(r.number for r in rows)
        return {str(n): counts[n] for n in range(1, 6)}
    chosen = Counter(c for r in rows for c in r.choices or ())
    return {option: chosen[n] for n, option in enumerate(question.options, start=1)}


def _with_sentiment(text: str) -> dict[str, Any]:
    sentiment = nlp.analyze(text).sentiment
    return {"text": text, "sentiment": sentiment.label.value, "score": round(sentiment.score, 3)}
