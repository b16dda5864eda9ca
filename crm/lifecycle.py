"""Lifecycle stages (prospect, new, active, loyal, at_risk, churned), recomputed nightly in SQL.

Every change is recorded (LifecycleChange) so reports can show the flow between stages. The
churn early warning: a customer with orders whose last activity (message or order) is older than
`at_risk_days` becomes at_risk and gets the warning tag; the tag goes when they come back.

Precedence: quiet time decides first, so churned (quiet `churned_days`) and at_risk (quiet
`at_risk_days`) win over loyal and new: a loyal customer who went quiet is at_risk. The warning
tag is for at_risk only: it goes on churn too (churned customers are a stage of their own, the
win-back campaigns' target); a warning tag staff added by hand is never removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import LifecycleSettings
from crm.models import LifecycleChange, LifecycleStage, Tag, TagSource
from crm.sql import execute

_SEEN = (
    'CASE WHEN "last_order_at" IS NULL OR "last_active_at" > "last_order_at" '
    'THEN COALESCE("last_active_at", "last_order_at") ELSE "last_order_at" END'
)
_STAGE = f"""CASE
  WHEN "order_count" = 0 THEN 'prospect'
  WHEN {_SEEN} < ? THEN 'churned'
  WHEN {_SEEN} < ? THEN 'at_risk'
  WHEN "order_count" >= ? THEN 'loyal'
  WHEN "first_order_at" >= ? THEN 'new'
  ELSE 'active' END"""

_RECORD = f"""
INSERT INTO "lifecycle_change" ("customer_id", "from_stage", "to_stage", "changed_at")
SELECT x."id", x."lifecycle_stage", x."stage", ? FROM (
  SELECT "id", "lifecycle_stage", {_STAGE} AS "stage" FROM "customer"
  WHERE "merged_into_id" IS NULL
) x WHERE x."stage" <> x."lifecycle_stage"
"""
_UPDATE = f"""
UPDATE "customer" SET "lifecycle_stage" = {_STAGE}, "lifecycle_changed_at" = ?
WHERE "merged_into_id" IS NULL AND "lifecycle_stage" <> {_STAGE}
"""
# ON CONFLICT, not NOT EXISTS: right after the UPDATE above the planner still believes almost
# nobody is at_risk and picked a nested anti-join that ran for minutes on 1M customers.
_TAG_AT_RISK = """
INSERT INTO "customer_tag" ("customer_id", "tag_id", "source", "created_at")
SELECT c."id", ?, ?, ? FROM "customer" c
WHERE c."lifecycle_stage" = 'at_risk' AND c."merged_into_id" IS NULL
ON CONFLICT ("customer_id", "tag_id") DO NOTHING
"""
_UNTAG_RECOVERED = """
DELETE FROM "customer_tag" WHERE "tag_id" = ? AND "source" = ? AND "customer_id" IN (
  SELECT "id" FROM "customer" WHERE "lifecycle_stage" <> 'at_risk'
)
"""


@dataclass(frozen=True)
class LifecycleResult:
    changed: int
    tagged: int
    untagged: int


@dataclass(frozen=True)
class StageFlow:
    from_stage: LifecycleStage
    to_stage: LifecycleStage
    customers: int


def _stage_params(now: datetime, s: LifecycleSettings) -> list[object]:
    return [
        now - timedelta(days=s.churned_days),
        now - timedelta(days=s.at_risk_days),
        s.loyal_min_orders,
        now - timedelta(days=s.new_days),
    ]


async def recompute_lifecycle(
    settings: LifecycleSettings | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> LifecycleResult:
    moment = clock.now()
    s = settings or LifecycleSettings()
    stage = _stage_params(moment, s)
    tag, _ = await Tag.get_or_create(name=s.at_risk_tag)
    async with in_transaction() as tx:
        await execute(_RECORD, [moment, *stage], tx)
        changed = await execute(_UPDATE, [*stage, moment, *stage], tx)
        tagged, untagged = await _warn(tx, tag.id, moment)
    return LifecycleResult(changed, tagged, untagged)


async def _warn(tx: BaseDBAsyncClient, tag_id: int, now: datetime) -> tuple[int, int]:
    source = TagSource.SEGMENT.value
    tagged = await execute(_TAG_AT_RISK, [tag_id, source, now], tx)
    untagged = await execute(_UNTAG_RECOVERED, [tag_id, source], tx)
    return tagged, untagged


async def stage_flow(since: datetime, until: datetime | None = None) -> list[StageFlow]:
    """How many customers moved from each stage to each other stage in the period."""
    qs = LifecycleChange.filter(changed_at__gte=since)
    if until is not None:
        qs = qs.filter(changed_at__lt=until)
    rows = await (
        qs.annotate(n=Count("id"))
        .group_by("from_stage", "to_stage")
        .values("from_stage", "to_stage", "n")
    )
    flows = [
        StageFlow(LifecycleStage(r["from_stage"]), LifecycleStage(r["to_stage"]), r["n"])
        for r in rows
    ]
    return sorted(flows, key=lambda f: (f.from_stage, f.to_stage))
