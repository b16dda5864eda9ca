"""Nightly RFM scores: recency, frequency, monetary as quantiles (quintiles by default), in SQL.

Only customers with at least one order are scored (score 1 = lowest fifth, 5 = best fifth);
ties share a score (rank-based), and only rows whose scores change are written."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from crm.config import RfmSettings
from crm.sql import execute, is_postgres

_SCORE = "1 + (RANK() OVER (ORDER BY {column}) - 1) * {buckets} / COUNT(*) OVER ()"

_UPDATE = """
UPDATE "customer" SET "r_score" = s.r, "f_score" = s.f, "m_score" = s.m
FROM (
  SELECT "id", {r} AS r, {f} AS f, {m} AS m FROM "customer"
  WHERE "order_count" > 0 AND "merged_into_id" IS NULL
) s
WHERE "customer"."id" = s."id"
  AND ("customer"."r_score" {ne} s.r OR "customer"."f_score" {ne} s.f
       OR "customer"."m_score" {ne} s.m)
"""

_CLEAR = """
UPDATE "customer" SET "r_score" = NULL, "f_score" = NULL, "m_score" = NULL
WHERE ("order_count" = 0 OR "merged_into_id" IS NOT NULL) AND "r_score" IS NOT NULL
"""


@dataclass(frozen=True)
class RfmResult:
    changed: int
    cleared: int
    seconds: float


def _update_sql(buckets: int) -> str:
    def score(column: str) -> str:
        return _SCORE.format(column=column, buckets=buckets)

    return _UPDATE.format(
        r=score('"last_order_at"'),
        f=score('"order_count"'),
        m=score('"total_spent"'),
        ne="IS DISTINCT FROM" if is_postgres() else "IS NOT",
    )


async def recompute_rfm(settings: RfmSettings | None = None) -> RfmResult:
    """Score every customer with orders; returns how many rows changed and how long it took."""
    buckets = (settings or RfmSettings()).buckets
    started = time.perf_counter()
    async with in_transaction() as tx:
        changed = await execute(_update_sql(buckets), (), tx)
        cleared = await execute(_CLEAR, (), tx)
    return RfmResult(changed, cleared, time.perf_counter() - started)
