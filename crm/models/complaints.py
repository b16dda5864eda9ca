"""Complaint (minimal): what segments need to know. The complaint flow extends it."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class ComplaintStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Complaint(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="complaints", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(ComplaintStatus, max_length=8, default=ComplaintStatus.OPEN)
    summary = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint"
        indexes = (("customer_id", "status"),)
