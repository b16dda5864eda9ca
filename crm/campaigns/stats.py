"""A campaign's results per run (or over all its real runs), computed in SQL.

Counts by status, channel, error code and skip reason come from one GROUP BY over the
deliveries; the effects from one query over the sent ones: customers who wrote back within
72 hours of the send, opted out within 72 hours, and the points they redeemed and the orders
they paid within 7 days. Dry runs count only when asked for by run id."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from crm.errors import CampaignNotFound
from crm.models.campaigns import CampaignRun, DeliveryStatus
from crm.sql import fetch, is_postgres

REPLY_HOURS = 72
ORDER_DAYS = 7


@dataclass
class CampaignStats:
    campaign_id: int
    run_id: int | None
    runs: int = 0
    targeted: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    pending: int = 0
    deferred: int = 0  # pending and due after the run started: quiet hours or a retry backoff
    sent_by_channel: dict[str, int] = field(default_factory=dict)
    failed_by_code: dict[str, int] = field(default_factory=dict)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    replies_72h: int = 0
    opt_outs_72h: int = 0
    points_redeemed_7d: int = 0
    orders_7d: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_COUNTS = """
SELECT d.status AS status, d.channel AS channel, d.errcode AS errcode, d.reason AS reason,
       COUNT(*) AS n,
       SUM(CASE WHEN d.status = 'pending' AND d.due_at > r.started_at THEN 1 ELSE 0 END) AS later
FROM campaign_delivery d JOIN campaign_run r ON r.id = d.run_id
WHERE {where}
GROUP BY d.status, d.channel, d.errcode, d.reason
"""

_EFFECTS = """
SELECT
  SUM(CASE WHEN EXISTS (SELECT 1 FROM interaction i WHERE i.customer_id = d.customer_id
      AND i.direction = 'in' AND {reply}) THEN 1 ELSE 0 END) AS replies,
  SUM(CASE WHEN {opt_out} THEN 1 ELSE 0 END) AS opt_outs,
  SUM((SELECT COALESCE(-SUM(e.amount), 0) FROM points_entry e WHERE e.customer_id = d.customer_id
      AND e.kind = 'redeem' AND {redeem})) AS redeemed,
  SUM((SELECT COUNT(*) FROM orders o WHERE o.customer_id = d.customer_id AND {order})) AS orders
FROM campaign_delivery d JOIN campaign_run r ON r.id = d.run_id
JOIN customer c ON c.id = d.customer_id
WHERE {where} AND d.status = 'sent' AND d.sent_at IS NOT NULL
"""


def _within(later: str, hours: int, postgres: bool) -> str:
    """`later` falls in the `hours` after the delivery's sent_at (SQLite: UTC text, compared
    as julian days for the upper bound)."""
    if postgres:
        return f"{later} > d.sent_at AND {later} <= d.sent_at + INTERVAL '{hours} hours'"
    return f"{later} > d.sent_at AND julianday({later}) <= julianday(d.sent_at) + {hours} / 24.0"


def _effects_sql(where: str) -> str:
    pg = is_postgres()
    return _EFFECTS.format(
        where=where,
        reply=_within("i.created_at", REPLY_HOURS, pg),
        opt_out=_within("c.opted_out_at", REPLY_HOURS, pg),
        redeem=_within("e.created_at", ORDER_DAYS * 24, pg),
        order=_within("o.paid_at", ORDER_DAYS * 24, pg),
    )


async def campaign_stats(campaign_id: int, run_id: int | None = None) -> CampaignStats:
    """Over all the campaign's real runs, or over one run (a dry run too)."""
    runs = CampaignRun.filter(campaign_id=campaign_id)
    runs = runs.filter(id=run_id) if run_id is not None else runs.filter(dry_run=False)
    stats = CampaignStats(campaign_id, run_id, runs=await runs.count())
    if run_id is not None and not stats.runs:
        raise CampaignNotFound(f"活动 {campaign_id} 没有编号为 {run_id} 的发送批次")
    where, params = _where(campaign_id, run_id)
    _add_counts(stats, await fetch(_COUNTS.format(where=where), params))
    _add_effects(stats, (await fetch(_effects_sql(where), params))[0])
    return stats


def _where(campaign_id: int, run_id: int | None) -> tuple[str, list[Any]]:
    if run_id is not None:
        return "d.campaign_id = ? AND d.run_id = ?", [campaign_id, run_id]
    return "d.campaign_id = ? AND NOT r.dry_run", [campaign_id]


def _add_counts(stats: CampaignStats, rows: list[dict[str, Any]]) -> None:
    by_channel: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    for row in rows:
        n, status = int(row["n"]), DeliveryStatus(row["status"])
        stats.targeted += n
        setattr(stats, status.value, getattr(stats, status.value) + n)
        stats.deferred += int(row["later"] or 0)
        if status is DeliveryStatus.SENT:
            by_channel[row["channel"] or "unknown"] += n
        elif status is DeliveryStatus.FAILED:
            by_code[_code(row)] += n
        elif status is DeliveryStatus.SKIPPED:
            by_reason[row["reason"] or "unknown"] += n
    stats.sent_by_channel = dict(by_channel)
    stats.failed_by_code = dict(by_code)
    stats.skipped_by_reason = dict(by_reason)


def _code(row: dict[str, Any]) -> str:
    """WeChat's errcode; a failure without one (a render failure) by its reason."""
    return str(row["errcode"]) if row["errcode"] is not None else row["reason"] or "unknown"


def _add_effects(stats: CampaignStats, row: dict[str, Any]) -> None:
    stats.replies_72h = int(row["replies"] or 0)
    stats.opt_outs_72h = int(row["opt_outs"] or 0)
    stats.points_redeemed_7d = int(row["redeemed"] or 0)
    stats.orders_7d = int(row["orders"] or 0)
