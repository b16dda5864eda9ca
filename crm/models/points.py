"""Points ledger: every change of a customer's points, each one idempotent by its reference."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class PointsKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


class PointsEntry(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="points_entries", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(PointsKind, max_length=8)
    amount = fields.IntField(description="signed change of the balance")
    remaining = fields.IntField(default=0, description="unspent part of a credit (FIFO)")
    expires_at = fields.DatetimeField(null=True)
    reference = fields.CharField(max_length=128, unique=True)
    note = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "points_entry"
        indexes = (("customer_id", "remaining", "expires_at"), ("expires_at",))
