"""A survey definition as staff write it (YAML or JSON), validated at the edge with pydantic,
and stored in one transaction: on any error nothing is written."""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm.errors import InvalidSurvey, SurveyInUse, SurveyNotFound
from crm.models.campaigns import Campaign
from crm.models.surveys import QuestionType, Survey, SurveyQuestion, SurveyResponse

_CHOICES = {QuestionType.SINGLE, QuestionType.MULTI}


class SkipCondition(BaseModel):
    """Skip this question when the answer to earlier question `question` is in `answer_in`
    (a score for NPS / CSAT, option numbers for choices)."""

    model_config = ConfigDict(extra="forbid")
    question: int = Field(ge=1, description="1-based position of an earlier question")
    answer_in: list[int] = Field(min_length=1)


class QuestionDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["nps", "csat", "single", "multi", "text"]
    text: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(default_factory=list, max_length=20)
    skip_if: SkipCondition | None = None

    @model_validator(mode="after")
    def _options_fit_the_type(self) -> QuestionDefinition:
        if QuestionType(self.type) in _CHOICES and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least 2 options")
        if QuestionType(self.type) not in _CHOICES and self.options:
            raise ValueError(f"a {self.type} question takes no options")
        if any(not o.strip() for o in self.options):
            raise ValueError("options must not be empty")
        return self


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    intro: str = Field(min_length=1, max_length=600)
    thanks: str = Field(min_length=1, max_length=600)
    questions: list[QuestionDefinition] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _skips_look_back(self) -> SurveyDefinition:
        for number, question in enumerate(self.questions, start=1):
            condition = question.skip_if
            if condition is None:
                continue
            if condition.question >= number:
                raise ValueError(f"questions.{number}.skip_if must name an earlier question")
            if self.questions[condition.question - 1].type == "text":
                raise ValueError(f"questions.{number}.skip_if cannot depend on a text answer")
        return self


def parse_definition(raw: str | bytes | dict[str, Any]) -> SurveyDefinition:
    """A definition from YAML/JSON text (JSON is YAML) or a mapping; InvalidSurvey names the
    bad fields, questions counted from 1."""
    try:
        data = raw if isinstance(raw, dict) else yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise InvalidSurvey(f"not YAML or JSON: {exc}") from exc
    try:
        return SurveyDefinition.model_validate(data)
    except ValidationError as exc:
        raise InvalidSurvey(_describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors())


def _where(loc: tuple[int | str, ...]) -> str:
    parts = [str(p + 1) if isinstance(p, int) else p for p in loc]
    return ".".join(parts) or "survey"


async def create_survey(definition: SurveyDefinition) -> Survey:
    """The survey and its questions, in one transaction."""
    async with in_transaction() as conn:
        survey = await Survey.create(
            name=definition.name, intro=definition.intro, thanks=definition.thanks, using_db=conn
        )
        await _add_questions(survey, definition, conn)
    return survey


async def _add_questions(
    survey: Survey, definition: SurveyDefinition, conn: BaseDBAsyncClient
) -> None:
    for position, q in enumerate(definition.questions, start=1):
        await SurveyQuestion.create(
            survey=survey, position=position, kind=QuestionType(q.type), text=q.text,
            options=q.options, skip_if=q.skip_if.model_dump() if q.skip_if else None,
            using_db=conn,
        )  # fmt: skip


def survey_json(survey: Survey, questions: list[SurveyQuestion]) -> dict[str, Any]:
    """The survey as `siyu survey create` prints it."""
    return {
        "id": survey.id, "name": survey.name, "intro": survey.intro, "thanks": survey.thanks,
        "questions": [
            {"position": q.position, "type": q.kind.value, "text": q.text, "options": q.options,
             "skip_if": q.skip_if}
            for q in questions
        ],
    }  # fmt: skip


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


async def _unsent(survey_id: int, conn: BaseDBAsyncClient) -> Survey:
    """The survey, locked, if nobody was sent it (SurveyInUse once it has responses or a
    campaign: their answers and invitation refer to its questions)."""
    survey = await Survey.select_for_update().using_db(conn).get_or_none(id=survey_id)
    if survey is None:
        raise SurveyNotFound(f"survey {survey_id}")
    responses = SurveyResponse.filter(survey_id=survey_id).using_db(conn)
    if await responses.exists() or await Campaign.filter(survey_id=survey_id).exists():
        raise SurveyInUse(f"问卷 {survey_id} 已经发出或已有回答，不能修改或删除")
    return survey


async def delete_survey(survey_id: int) -> Survey:
    """Delete a survey nobody was sent."""
    async with in_transaction() as conn:
        survey = await _unsent(survey_id, conn)
        await survey.delete(using_db=conn)
    return survey


async def replace_survey(survey_id: int, definition: SurveyDefinition) -> Survey:
    """Replace the definition of a survey nobody was sent (its id stays)."""
    async with in_transaction() as conn:
        survey = await _unsent(survey_id, conn)
        survey.name, survey.intro, survey.thanks = (
            definition.name,
            definition.intro,
            definition.thanks,
        )
        await survey.save(using_db=conn, update_fields=["name", "intro", "thanks"])
        await SurveyQuestion.filter(survey_id=survey_id).using_db(conn).delete()
        await _add_questions(survey, definition, conn)
    return survey
