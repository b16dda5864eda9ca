"""Consent to marketing: every grant and withdrawal, when and how (PIPL arts. 13-15, 24)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class ConsentRecord(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="consent_records", on_delete=fields.CASCADE
    )
    granted = fields.BooleanField(description="true: consent given, false: withdrawn")
    source = fields.CharField(max_length=32, description="follow, subscribe_text, import, ...")
    purpose = fields.CharField(max_length=128, description="what the person agreed to")
    detail = fields.CharField(max_length=128, null=True, description="import file, date given")
    at = fields.DatetimeField()

    class Meta:
        table = "consent_record"
        indexes = (("customer_id", "at"),)
