"""A record of two customer records merged into one, with what is needed to undo it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class CustomerMerge(Model):
    id = fields.BigIntField(primary_key=True)
    survivor: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="merges", on_delete=fields.CASCADE
    )
    merged_id = fields.BigIntField(db_index=True, description="the record merged away (kept)")
    reason = fields.CharField(max_length=32, description="unionid, phone or staff")
    snapshot: fields.Field[dict] = fields.JSONField(
        description="fields of both records before the merge and the ids of the moved rows"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer_merge"
