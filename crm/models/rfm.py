"""RFM scores, one narrow row per scored customer (rewriting them nightly stays cheap)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from crm.models.customers import Customer


class RfmScore(Model):
    customer: fields.OneToOneRelation[Customer] = fields.OneToOneField(
        "siyu.Customer", related_name="rfm", primary_key=True, on_delete=fields.CASCADE
    )
    r_score = fields.SmallIntField(description="recency 1 (longest ago) to 5 (most recent)")
    f_score = fields.SmallIntField(description="frequency 1 (fewest orders) to 5")
    m_score = fields.SmallIntField(description="monetary 1 (least spent) to 5")
    scored_at = fields.DatetimeField()

    class Meta:
        table = "rfm_score"
