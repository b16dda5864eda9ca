"""Interaction: every inbound message or event and every outbound message, recorded once."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Interaction(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="interactions", null=True, on_delete=fields.SET_NULL
    )
    channel = fields.CharField(max_length=8)
    direction = fields.CharEnumField(Direction, max_length=3)
    kind = fields.CharField(max_length=48, description="text, image, event:subscribe, reply:text…")
    content = fields.TextField(null=True)
    payload = fields.TextField(null=True, description="the decrypted XML as WeChat sent it")
    msg_id = fields.CharField(max_length=32, null=True)
    dedupe_key = fields.CharField(max_length=160, null=True)
    sentiment_score = fields.FloatField(null=True)
    sentiment_label = fields.CharField(max_length=8, null=True)
    intent = fields.CharField(max_length=16, null=True)
    keywords: fields.Field[list] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "interaction"
        unique_together = (("channel", "dedupe_key"),)
        indexes = (("customer_id", "created_at"),)
