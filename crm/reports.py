"""Figures for staff: today's numbers (`/stats today`) and an overview of a period (the admin
API's reports). Every figure is computed in SQL, written once for SQLite and PostgreSQL; a
day is a local day in the given timezone (its UTC bounds are computed here, so a daylight-
saving change is exact), and per-day figures join a VALUES list of those bounds.

Counted: new followers (an OA follow, or a new WeCom external contact), customers' inbound
messages (events excluded), complaints opened and closed, the negative share of the messages
nlp analysed, campaign deliveries; over a period also complaints resolved, SLA breaches (as
crm.complaints' analysis counts them) and NPS and CSAT of the survey answers given in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.clock import Clock, utcnow
from crm.complaints.analysis import rates as complaint_rates
from crm.errors import InvalidInput
from crm.sql import fetch, is_postgres, value_rows

MAX_DAYS = 366

_FOLLOWED = (
    "c.merged_into_id IS NULL AND ((c.subscribed_at >= {lo} AND c.subscribed_at < {hi}) OR "
    "(c.source_channel = 'wecom' AND c.created_at >= {lo} AND c.created_at < {hi}))"
)
_INBOUND = (
    "i.direction = 'in' AND i.customer_id IS NOT NULL AND i.kind NOT LIKE 'event:%' "
    "AND i.created_at >= {lo} AND i.created_at < {hi}"
)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends at."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


# -- today ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    new_followers: int
    messages: int  # customers' inbound messages
    replies: int  # outbound messages to customers
    complaints_opened: int
    complaints_closed: int
    analysed: int  # inbound messages with a sentiment
    negative: int
    deliveries_sent: int
    deliveries_failed: int

    @property
    def negative_share(self) -> float | None:
        return share(self.negative, self.analysed)


_TODAY = f"""
SELECT
  (SELECT COUNT(*) FROM customer c WHERE {_FOLLOWED.format(lo="?", hi="?")}) AS new_followers,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="?", hi="?")}) AS messages,
  (SELECT COUNT(*) FROM interaction i WHERE i.direction = 'out' AND i.customer_id IS NOT NULL
     AND i.created_at >= ? AND i.created_at < ?) AS replies,
  (SELECT COUNT(*) FROM complaint WHERE created_at >= ? AND created_at < ?) AS complaints_opened,
  (SELECT COUNT(*) FROM complaint WHERE closed_at >= ? AND closed_at < ?) AS complaints_closed,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="?", hi="?")}
     AND i.sentiment_label IS NOT NULL) AS analysed,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="?", hi="?")}
     AND i.sentiment_label = 'negative') AS negative,
  (SELECT COUNT(*) FROM campaign_delivery WHERE status = 'sent'
     AND sent_at >= ? AND sent_at < ?) AS deliveries_sent,
  (SELECT COUNT(*) FROM campaign_delivery WHERE status = 'failed'
     AND updated_at >= ? AND updated_at < ?) AS deliveries_failed
"""


def local_today(clock: Clock, timezone: str) -> date:
    return clock.now().astimezone(ZoneInfo(timezone)).date()


async def day_stats(day: date, timezone: str) -> DayStats:
    lo, hi = day_bounds(day, timezone)
    pairs = _TODAY.count("?") // 2
    [row] = await fetch(_TODAY, [lo, hi] * pairs)
    return DayStats(day=day, **{k: int(v or 0) for k, v in row.items()})


async def today(clock: Clock, timezone: str) -> DayStats:
    """The figures of the local day `clock` is in, from its start until now."""
    return await day_stats(local_today(clock, timezone), timezone)


# -- a period -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    new_followers: int
    active: int  # customers who wrote or paid an order that day
    churned: int  # customers whose lifecycle moved to churned that day
    messages: int
    analysed: int
    negative: int

    @property
    def negative_share(self) -> float | None:
        return share(self.negative, self.analysed)


@dataclass(frozen=True, slots=True)
class Flow:
    from_stage: str
    to_stage: str
    customers: int


@dataclass(frozen=True, slots=True)
class RfmCell:
    r: int
    f: int
    customers: int
    avg_m: float


@dataclass(frozen=True, slots=True)
class Overview:
    start: date
    end: date  # inclusive
    timezone: str
    days: tuple[DayRow, ...]
    lifecycle_flow: tuple[Flow, ...]
    rfm_grid: tuple[RfmCell, ...]  # the current scores (RFM is recomputed nightly)
    complaints_opened: int
    complaints_closed: int
    deliveries: dict[str, int]  # by status, of deliveries created in the period
    sent_by_channel: dict[str, int]
    deliveries_failed: int  # failed in the period (whenever created), as `/stats today` counts
    complaints_resolved: int
    sla_breaches: int  # tickets opened in the period past a deadline (answered late or not yet)
    scores: Scores

    @property
    def new_followers(self) -> int:
        return sum(d.new_followers for d in self.days)

    @property
    def negative_share(self) -> float | None:
        return share(sum(d.negative for d in self.days), sum(d.analysed for d in self.days))


@dataclass(frozen=True, slots=True)
class Scores:
    """NPS and CSAT of the survey answers given in the period (as crm.surveys.results)."""

    nps_answers: int
    nps: float | None  # promoters (9–10) minus detractors (0–6), in %
    csat_answers: int
    csat: float | None  # share of 4 and 5, in %


_PER_DAY = f"""
WITH days(d, lo, hi) AS (VALUES {{days}})
SELECT days.d AS d,
  (SELECT COUNT(*) FROM customer c WHERE {_FOLLOWED.format(lo="days.lo", hi="days.hi")})
    AS new_followers,
  (SELECT COUNT(*) FROM (
     SELECT i.customer_id AS who FROM interaction i
      WHERE {_INBOUND.format(lo="days.lo", hi="days.hi")}
     UNION
     SELECT o.customer_id FROM orders o WHERE o.paid_at >= days.lo AND o.paid_at < days.hi
   ) AS a) AS active,
  (SELECT COUNT(DISTINCT l.customer_id) FROM lifecycle_change l WHERE l.to_stage = 'churned'
     AND l.changed_at >= days.lo AND l.changed_at < days.hi) AS churned,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="days.lo", hi="days.hi")})
    AS messages,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="days.lo", hi="days.hi")}
     AND i.sentiment_label IS NOT NULL) AS analysed,
  (SELECT COUNT(*) FROM interaction i WHERE {_INBOUND.format(lo="days.lo", hi="days.hi")}
     AND i.sentiment_label = 'negative') AS negative
FROM days ORDER BY days.d
"""

_FLOW = """
SELECT from_stage, to_stage, COUNT(*) AS n FROM lifecycle_change
WHERE changed_at >= ? AND changed_at < ? GROUP BY from_stage, to_stage
ORDER BY COUNT(*) DESC, from_stage, to_stage
"""

_RFM = """
SELECT r_score AS r, f_score AS f, COUNT(*) AS n, AVG(m_score) AS m FROM rfm_score
GROUP BY r_score, f_score ORDER BY r_score DESC, f_score DESC
"""

_COMPLAINTS = """
SELECT (SELECT COUNT(*) FROM complaint WHERE created_at >= ? AND created_at < ?) AS opened,
       (SELECT COUNT(*) FROM complaint WHERE closed_at >= ? AND closed_at < ?) AS closed
"""

_RESOLVED = "SELECT COUNT(*) AS n FROM complaint WHERE resolved_at >= ? AND resolved_at < ?"

_SCORES = """
SELECT q.kind AS kind, COUNT(*) AS n,
  SUM(CASE WHEN a.number >= 9 THEN 1 ELSE 0 END) AS promoters,
  SUM(CASE WHEN a.number <= 6 THEN 1 ELSE 0 END) AS detractors,
  SUM(CASE WHEN a.number >= 4 THEN 1 ELSE 0 END) AS satisfied
FROM survey_answer a JOIN survey_question q ON q.id = a.question_id
WHERE NOT a.skipped AND a.number IS NOT NULL AND q.kind IN ('nps', 'csat')
  AND a.created_at >= ? AND a.created_at < ?
GROUP BY q.kind
"""

_DELIVERIES = """
SELECT status, COUNT(*) AS n FROM campaign_delivery
WHERE created_at >= ? AND created_at < ? GROUP BY status
"""

_FAILED = """
SELECT COUNT(*) AS n FROM campaign_delivery
WHERE status = 'failed' AND updated_at >= ? AND updated_at < ?
"""

_SENT = """
SELECT channel, COUNT(*) AS n FROM campaign_delivery
WHERE status = 'sent' AND sent_at >= ? AND sent_at < ? GROUP BY channel
"""


def period_days(start: date, end: date) -> list[date]:
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"统计区间最多 {MAX_DAYS} 天")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def _per_day(days: Sequence[date], timezone: str) -> tuple[DayRow, ...]:
    postgres = is_postgres()
    casts = {1: "timestamptz", 2: "timestamptz"} if postgres else None
    groups = value_rows(len(days), 3, postgres, casts=casts)
    params: list[Any] = []
    for day in days:
        params += [day.isoformat(), *day_bounds(day, timezone)]
    sql = _PER_DAY.replace("{days}", groups)
    # value_rows numbered the marks for the dialect; the statement has no other `?`
    return tuple(_day_row(row) for row in await fetch(sql, params))


def _day_row(row: dict[str, Any]) -> DayRow:
    counts = {k: int(row[k] or 0) for k in ("new_followers", "active", "churned")}
    counts |= {k: int(row[k] or 0) for k in ("messages", "analysed", "negative")}
    return DayRow(day=date.fromisoformat(str(row["d"])), **counts)


async def _counts(sql: str, lo: datetime, hi: datetime) -> dict[str, int]:
    rows = await fetch(sql, [lo, hi])
    return {str(next(iter(r.values())) or "none"): int(r["n"]) for r in rows}


async def overview(start: date, end: date, timezone: str, clock: Clock | None = None) -> Overview:
    """The period from local day `start` to local day `end`, both included (`clock`: when a
    deadline not yet met counts as breached)."""
    days = period_days(start, end)
    lo, hi = day_bounds(start, timezone)[0], day_bounds(end, timezone)[1]
    flow = [Flow(r["from_stage"], r["to_stage"], int(r["n"])) for r in await fetch(_FLOW, [lo, hi])]
    [complaints] = await fetch(_COMPLAINTS, [lo, hi, lo, hi])
    return Overview(
        start=start, end=end, timezone=timezone, days=await _per_day(days, timezone),
        lifecycle_flow=tuple(flow), rfm_grid=await _rfm_grid(),
        complaints_opened=int(complaints["opened"]), complaints_closed=int(complaints["closed"]),
        deliveries=await _counts(_DELIVERIES, lo, hi),
        sent_by_channel=await _counts(_SENT, lo, hi),
        deliveries_failed=int((await fetch(_FAILED, [lo, hi]))[0]["n"]),
        complaints_resolved=int((await fetch(_RESOLVED, [lo, hi]))[0]["n"]),
        sla_breaches=int((await complaint_rates(lo, hi, utcnow(clock)))["breached"] or 0),
        scores=await scores(lo, hi),
    )  # fmt: skip


def _percent(part: Any, whole: int) -> float | None:
    return None if not whole else round(100 * int(part or 0) / whole, 1)


async def scores(lo: datetime, hi: datetime) -> Scores:
    """NPS and CSAT of the answers given in [lo, hi)."""
    rows = {r["kind"]: r for r in await fetch(_SCORES, [lo, hi])}
    nps, csat = rows.get("nps"), rows.get("csat")
    nps_n, csat_n = int(nps["n"]) if nps else 0, int(csat["n"]) if csat else 0
    return Scores(
        nps_n, _percent(int(nps["promoters"]) - int(nps["detractors"]), nps_n) if nps else None,
        csat_n, _percent(csat["satisfied"], csat_n) if csat else None,
    )  # fmt: skip


async def _rfm_grid() -> tuple[RfmCell, ...]:
    rows = await fetch(_RFM)
    return tuple(
        RfmCell(int(r["r"]), int(r["f"]), int(r["n"]), round(float(r["m"]), 2)) for r in rows
    )
