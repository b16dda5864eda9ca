"""The outbox: a run's target customers become deliveries in ONE set-based INSERT … SELECT per
batch of customer ids, each decided in the same SQL: skipped with its reason, or pending and
due now (or at the end of the quiet hours).

Skip reasons, first match wins: merged (merged away into another customer), opted_out,
unsubscribed (an Official Account follower no more and no WeCom contact), unreachable (neither
an openid nor a WeCom contact), no_consent (a marketing campaign, `privacy.require_consent`,
and no consent to marketing on record: PIPL, crm/pipl/consent.py), frequency_cap (a marketing
campaign, and the customer already has `frequency_cap` marketing deliveries pending, waiting
or sent within `frequency_days`, across every campaign). A frequency_exempt campaign's
deliveries neither count nor are capped. ON CONFLICT DO NOTHING makes a second enqueue of the
same run (a retry, a second leader) add only what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.campaigns import coupons
from crm.campaigns.query import Query, q
from crm.config import CampaignSettings
from crm.pipl import config as privacy_config
from crm.sql import execute, fetch, is_postgres
from crm.transactions import in_transaction

_REACHABLE = (
    '(c."openid" IS NOT NULL AND c."subscribed") '
    'OR (c."external_userid" IS NOT NULL AND c."follow_user" IS NOT NULL)'
)
_REASON = f"""CASE
      WHEN c."merged_into_id" IS NOT NULL THEN 'merged'
      WHEN c."opted_out" THEN 'opted_out'
      WHEN NOT ({_REACHABLE}) THEN
        CASE WHEN c."openid" IS NOT NULL THEN 'unsubscribed' ELSE 'unreachable' END"""
_NO_CONSENT = """
      WHEN NOT c."marketing_consent" THEN 'no_consent'"""
_CAPPED = """
      WHEN f."n" >= ? THEN 'frequency_cap'"""
# The marketing deliveries of the last frequency_days per customer, from the (status, due_at)
# index: one range scan and a hash join instead of a probe per customer (PostgreSQL, 100,000
# customers with 3 deliveries each: 3.0 s of correlated COUNTs). A delivery counts from the
# time it was due, which is when it was meant to reach the customer.
_RECENT = """ LEFT JOIN (
    SELECT f."customer_id", COUNT(*) AS "n" FROM "campaign_delivery" f
    WHERE f."status" IN ('pending', 'waiting', 'sent') AND f."due_at" >= ? AND f."marketing"
      AND f."run_id" <> ? AND f."customer_id" >= ? AND f."customer_id" < ?
    GROUP BY f."customer_id") f ON f."customer_id" = c."id"
"""
_HEAD = """INSERT INTO "campaign_delivery" ("run_id", "campaign_id", "customer_id", "status",
  "reason", "marketing", "due_at", "attempts", "created_at", "updated_at", "coupon_code",
  "needs_consent")
SELECT ?, ?, x."id", CASE WHEN x."reason" IS NULL THEN 'pending' ELSE 'skipped' END,
  x."reason", ?, ?, 0, ?, ?, CASE WHEN x."reason" IS NULL THEN x."code" END, ?
FROM (SELECT c."id", """
# `WHERE 1 = 1`: SQLite would read ON CONFLICT after a bare join as the join's ON.
_TAIL = """ WHERE 1 = 1
ON CONFLICT ("run_id", "customer_id") DO NOTHING"""


@dataclass(frozen=True)
class Enqueue:
    """One run's enqueue: who (targets: a SELECT of "id"), when, and whether it is marketing."""

    run_id: int
    campaign_id: int
    targets: Query
    marketing: bool
    due_at: datetime
    now: datetime
    coupon_head: str | None = None  # codes for the pending deliveries (crm.campaigns.coupons)


def insert_sql(job: Enqueue, settings: CampaignSettings, low: int, high: int) -> Query:
    """The INSERT … SELECT for the target customers with low <= id < high."""
    consent = job.marketing and privacy_config.current().require_consent
    head = q(_HEAD, job.run_id, job.campaign_id, job.marketing, job.due_at, job.now, job.now,
             consent)  # fmt: skip
    capped = q(_CAPPED, settings.frequency_cap) if job.marketing else Query("")
    reason = Query(_REASON) + Query(_NO_CONSENT if consent else "") + capped
    reason += Query(' ELSE NULL END AS "reason", ') + _code(job)
    joined = Query(') t JOIN "customer" c ON c."id" = t."id"')
    if job.marketing:
        since = job.now - timedelta(days=settings.frequency_days)
        joined += q(_RECENT, since, job.run_id, low, high)
    where = q(' WHERE c."id" >= ? AND c."id" < ?) x', low, high)
    return head + reason + job.targets + joined + where + Query(_TAIL)


def _code(job: Enqueue) -> Query:
    if job.coupon_head is None:
        return Query('NULL AS "code" FROM (')
    return q(coupons.code_sql() + ' AS "code" FROM (', job.coupon_head)


async def id_range() -> tuple[int, int]:
    rows = await fetch('SELECT MIN("id") AS low, MAX("id") AS high FROM "customer"')
    low, high = rows[0]["low"], rows[0]["high"]
    return (0, -1) if low is None else (int(low), int(high))


async def enqueue(
    job: Enqueue, settings: CampaignSettings, *, ids: tuple[int, int] | None = None
) -> int:
    """Insert the run's deliveries in batches of `enqueue_batch` customer ids (each batch one
    statement, committed on its own: an interrupted enqueue resumes where it stopped), over
    every customer id or the inclusive range `ids`; returns the deliveries inserted."""
    low, high = ids or await id_range()
    inserted = 0
    for start in range(low, high + 1, settings.enqueue_batch):
        end = min(start + settings.enqueue_batch, high + 1)
        statement = insert_sql(job, settings, start, end)
        inserted += await _insert(statement, capped=job.marketing)
    return inserted


# Two marketing enqueues at once would each count the customer's recent deliveries before the
# other's are committed, and together pass the cap: on PostgreSQL they take turns (a lock held
# until the batch commits). SQLite takes turns anyway: one writer at a time.
_CAP_LOCK = "SELECT pg_advisory_xact_lock(73110001)"  # any fixed number: siyu's cap lock


async def _insert(statement: Query, *, capped: bool) -> int:
    async with in_transaction() as tx:
        if is_postgres(tx):
            # PostgreSQL's JIT compiles this statement for ~1.2 s (of 15 s for 100,000
            # customers, measured) and saves nothing on a plan of index probes.
            await tx.execute_script("SET LOCAL jit = off")
            if capped:
                await tx.execute_script(_CAP_LOCK)
        return await execute(statement.sql, statement.params, tx)
