"""Nightly RFM scores: recency, frequency, monetary as quantiles (quintiles by default), in SQL.

Only live customers with at least one order are scored. The quantile boundaries are computed
first (one aggregate per measure), then each score is 1 + the number of boundaries the value is
above, so ties share a score. Scores live in the narrow rfm_score table and only changed rows
are written: rewriting a million wide, heavily indexed customer rows would take minutes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import RfmSettings
from crm.sql import execute, fetch, is_postgres

_SCORED = '"order_count" > 0 AND "merged_into_id" IS NULL'
_MEASURES = ("r", "f", "m")


def _columns() -> dict[str, str]:
    # decimals are VARCHAR on SQLite (Tortoise): rank them as numbers
    spent = '"total_spent"' if is_postgres() else 'CAST("total_spent" AS REAL)'
    return {"r": '"last_order_at"', "f": '"order_count"', "m": spent}


# Only new or changed scores reach the ON CONFLICT: it locks (writes) every row it touches.
_UPSERT = """
INSERT INTO "rfm_score" ("customer_id", "r_score", "f_score", "m_score", "scored_at")
SELECT s."id", s.r, s.f, s.m, ? FROM (
  SELECT "id", {r} AS r, {f} AS f, {m} AS m FROM "customer" WHERE {scored}
) s LEFT JOIN "rfm_score" o ON o."customer_id" = s."id"
WHERE o."customer_id" IS NULL OR o."r_score" <> s.r OR o."f_score" <> s.f OR o."m_score" <> s.m
ON CONFLICT ("customer_id") DO UPDATE SET
  "r_score" = excluded."r_score", "f_score" = excluded."f_score",
  "m_score" = excluded."m_score", "scored_at" = excluded."scored_at"
"""
# First run (or after a reset): a plain INSERT, no join and no conflict handling.
_FILL = """
INSERT INTO "rfm_score" ("customer_id", "r_score", "f_score", "m_score", "scored_at")
SELECT "id", {r}, {f}, {m}, ? FROM "customer" WHERE {scored}
"""
_PRUNE = """
DELETE FROM "rfm_score" WHERE "customer_id" IN (
  SELECT "id" FROM "customer" WHERE "order_count" = 0 OR "merged_into_id" IS NOT NULL
)
"""


@dataclass(frozen=True)
class RfmResult:
    scored: int
    changed: int
    removed: int
    seconds: float


async def recompute_rfm(
    settings: RfmSettings | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> RfmResult:
    """Score every live customer with orders; reports rows written and the time taken."""
    buckets = (settings or RfmSettings()).buckets
    started = time.perf_counter()
    async with in_transaction() as tx:
        if is_postgres():
            await execute("SET LOCAL work_mem = '256MB'", (), tx)
        scored, bounds = await _boundaries(tx, buckets)
        changed = await _write(tx, bounds, clock.now()) if scored else 0
        removed = await execute(_PRUNE, (), tx)
    return RfmResult(scored, changed, removed, time.perf_counter() - started)


async def _write(tx: BaseDBAsyncClient, bounds: dict[str, list[Any]], now: datetime) -> int:
    empty = not await fetch('SELECT 1 AS x FROM "rfm_score" LIMIT 1', (), tx)
    sql, params = _statement(_FILL if empty else _UPSERT, bounds)
    return await execute(sql, [*params, now] if empty else [now, *params], tx)


async def _boundaries(tx: BaseDBAsyncClient, buckets: int) -> tuple[int, dict[str, list[Any]]]:
    total = (await fetch(f'SELECT COUNT(*) AS n FROM "customer" WHERE {_SCORED}', (), tx))[0]["n"]
    if not total:
        return 0, {}
    fractions = [i / buckets for i in range(1, buckets)]
    if is_postgres():
        return int(total), await _pg_boundaries(tx, fractions)
    return int(total), await _offset_boundaries(tx, fractions, int(total))


async def _pg_boundaries(tx: BaseDBAsyncClient, fractions: list[float]) -> dict[str, list[Any]]:
    parts = ", ".join(
        f"percentile_disc(?::float8[]) WITHIN GROUP (ORDER BY {column}) AS {name}"
        for name, column in _columns().items()
    )
    row = (await fetch(f'SELECT {parts} FROM "customer" WHERE {_SCORED}', [fractions] * 3, tx))[0]
    return {name: list(row[name]) for name in _MEASURES}


async def _offset_boundaries(
    tx: BaseDBAsyncClient, fractions: list[float], total: int
) -> dict[str, list[Any]]:
    bounds: dict[str, list[Any]] = {}
    for name, column in _columns().items():
        bounds[name] = []
        for fraction in fractions:
            offset = max(math.ceil(fraction * total) - 1, 0)
            sql = (
                f'SELECT {column} AS v FROM "customer" WHERE {_SCORED} ORDER BY 1 LIMIT 1 OFFSET ?'
            )
            bounds[name].append((await fetch(sql, [offset], tx))[0]["v"])
    return bounds


def _statement(template: str, bounds: dict[str, list[Any]]) -> tuple[str, list[Any]]:
    columns, params, scores = _columns(), [], {}
    for name in _MEASURES:
        above = [f"CASE WHEN {columns[name]} > ? THEN 1 ELSE 0 END" for _ in bounds[name]]
        scores[name] = " + ".join(["1", *above])
        params += bounds[name]
    return template.format(scored=_SCORED, **scores), params
