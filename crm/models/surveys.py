"""Surveys asked inside the chat: definitions, questions, each customer's response and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class QuestionType(StrEnum):
    NPS = "nps"  # 0-10, would you recommend us
    CSAT = "csat"  # 1-5, how satisfied
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"


class ResponseStatus(StrEnum):
    INVITED = "invited"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # the customer left (退出, or twice an answer we could not read)
    EXPIRED = "expired"


class Survey(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    intro = fields.TextField()
    thanks = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    questions: fields.ReverseRelation[SurveyQuestion]

    class Meta:
        table = "survey"


class SurveyQuestion(Model):
    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "siyu.Survey", related_name="questions", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField(description="1-based order within the survey")
    kind = fields.CharEnumField(QuestionType, max_length=8)
    text = fields.TextField()
    options: fields.Field[list] = fields.JSONField(default=list)
    skip_if: fields.Field[dict] = fields.JSONField(null=True, description="question and values")

    class Meta:
        table = "survey_question"
        unique_together = (("survey", "position"),)


class SurveyResponse(Model):
    id = fields.BigIntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "siyu.Survey", related_name="responses", on_delete=fields.CASCADE
    )
    survey_id: int
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="survey_responses", on_delete=fields.CASCADE
    )
    customer_id: int
    status = fields.CharEnumField(ResponseStatus, max_length=12, default=ResponseStatus.INVITED)
    current = fields.SmallIntField(null=True, description="position of the question asked")
    source = fields.CharField(max_length=32, description="cli, segment, complaint_resolved")
    invited_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField()
    answers: fields.ReverseRelation[SurveyAnswer]

    class Meta:
        table = "survey_response"
        indexes = (("customer_id", "status"), ("survey_id", "status"))


class SurveyAnswer(Model):
    id = fields.BigIntField(primary_key=True)
    response: fields.ForeignKeyRelation[SurveyResponse] = fields.ForeignKeyField(
        "siyu.SurveyResponse", related_name="answers", on_delete=fields.CASCADE
    )
    question: fields.ForeignKeyRelation[SurveyQuestion] = fields.ForeignKeyField(
        "siyu.SurveyQuestion", related_name="answers", on_delete=fields.CASCADE
    )
    question_id: int
    number = fields.SmallIntField(null=True, description="NPS or CSAT score")
    choices: fields.Field[list] = fields.JSONField(null=True, description="1-based option numbers")
    text = fields.TextField(null=True)
    skipped = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_answer"
        unique_together = (("response", "question"),)
