"""RFM scores, one narrow row per scored customer (rewriting them nightly stays cheap).

No foreign-key constraint on purpose: checking it costs a lookup and a row lock on customer
for every score written (17 s instead of 3 s for 650,000 scores); rows of customers merged
away are pruned by the recompute itself, and customers are never deleted. Hence a plain
id column (Tortoise 1.1.9 migrations add the constraint even with db_constraint=False)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RfmScore(Model):
    customer_id = fields.BigIntField(primary_key=True, generated=False, description="customer.id")
    r_score = fields.SmallIntField(description="recency 1 (longest ago) to 5 (most recent)")
    f_score = fields.SmallIntField(description="frequency 1 (fewest orders) to 5")
    m_score = fields.SmallIntField(description="monetary 1 (least spent) to 5")
    scored_at = fields.DatetimeField()

    class Meta:
        table = "rfm_score"
