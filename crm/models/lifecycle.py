"""Lifecycle stage changes, kept so reports can show the flow between stages."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from crm.models.customers import Customer, LifecycleStage


class LifecycleChange(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="lifecycle_changes", on_delete=fields.CASCADE
    )
    from_stage = fields.CharEnumField(LifecycleStage, max_length=8)
    to_stage = fields.CharEnumField(LifecycleStage, max_length=8)
    changed_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "lifecycle_change"
