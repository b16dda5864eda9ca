"""Order: one purchase the brand reports, keyed by its own order id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class Order(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="orders", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=64, unique=True)
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    currency = fields.CharField(max_length=3, default="CNY")
    items_summary = fields.CharField(max_length=255, null=True)
    paid_at = fields.DatetimeField()
    channel = fields.CharField(max_length=32, null=True, description="shop, mini program, store")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "orders"
        indexes = (("customer_id", "paid_at"),)
