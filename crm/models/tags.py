"""Tags on customers, with where each one came from, and the keyword rules that apply them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from nlp.tags import TagSource  # one vocabulary of tag sources, shared with nlp

if TYPE_CHECKING:
    from crm.models.customers import Customer


class Tag(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tag"


class CustomerTag(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="tags", on_delete=fields.CASCADE
    )
    tag: fields.ForeignKeyRelation[Tag] = fields.ForeignKeyField(
        "siyu.Tag", related_name="customers", on_delete=fields.CASCADE
    )
    source = fields.CharEnumField(TagSource, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer_tag"
        unique_together = (("customer", "tag"),)


class KeywordRule(Model):
    """A keyword that tags whoever writes it. Staff manage these (admin API), nlp reads them."""

    id = fields.IntField(primary_key=True)
    keyword = fields.CharField(max_length=64)
    tag = fields.CharField(max_length=64)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "keyword_rule"
        unique_together = (("keyword", "tag"),)
