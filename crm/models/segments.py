"""Segments: a saved rule (dynamic) or the members frozen at a moment (static snapshot)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class SegmentKind(StrEnum):
    DYNAMIC = "dynamic"
    STATIC = "static"


class Segment(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    description = fields.CharField(max_length=255, null=True)
    kind = fields.CharEnumField(SegmentKind, max_length=8, default=SegmentKind.DYNAMIC)
    rule: fields.Field[dict] = fields.JSONField(description="the rule as JSON, see crm.segments")
    snapshot_at = fields.DatetimeField(null=True)
    member_count = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "segment"


class SegmentMember(Model):
    id = fields.BigIntField(primary_key=True)
    segment: fields.ForeignKeyRelation[Segment] = fields.ForeignKeyField(
        "siyu.Segment", related_name="members", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="segment_memberships", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "segment_member"
        unique_together = (("segment", "customer"),)
