"""Complaint analysis over a period (tickets opened in [start, end)): counts by category and
severity, median and p90 time to first response and to resolution, SLA breach rate, reopen
rate, satisfaction after resolution, and the top complaint keywords per category (the
"high-frequency complaint points"). Counting and durations run in SQL; the percentiles are
picked from the durations SQL returns in order, and the keywords come from nlp's tokens."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import nlp
from crm import sql
from crm.clock import Clock, utcnow

_PERIOD = "c.created_at >= ? AND c.created_at < ?"
_COUNTS = f"""
SELECT c.category AS category, c.severity AS severity, COUNT(*) AS n
FROM complaint c WHERE {_PERIOD} GROUP BY c.category, c.severity
"""
_RATES = f"""
SELECT COUNT(*) AS total,
  SUM(CASE WHEN {{late_answer}} OR {{late_fix}} THEN 1 ELSE 0 END) AS breached,
  SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved,
  SUM(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END) AS reopened,
  COUNT(c.satisfaction) AS rated,
  AVG(c.satisfaction) AS satisfaction,
  SUM(CASE WHEN c.satisfaction >= 4 THEN 1 ELSE 0 END) AS satisfied
FROM complaint c WHERE {_PERIOD}
"""
_DURATIONS = f"""
SELECT {{seconds}} AS seconds FROM complaint c
WHERE {_PERIOD} AND c.{{at}} IS NOT NULL ORDER BY seconds
"""
_TEXTS = f"""
SELECT c.category AS category, m.text AS text
FROM complaint_message m JOIN complaint c ON c.id = m.complaint_id WHERE {_PERIOD}
"""
_NOT_POINTS = frozenset({"投诉", "我要", "你们", "还是", "怎么", "订单", "订单号", "单号", "没有"})


@dataclass(frozen=True, slots=True)
class Durations:
    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True, slots=True)
class Analysis:
    start: datetime
    end: datetime
    total: int
    by_category: dict[str, int]
    by_severity: dict[str, int]
    first_response: Durations
    resolution: Durations
    sla_breach_rate: float | None  # share of the period's tickets past a deadline
    reopen_rate: float | None  # share of the resolved tickets reopened
    satisfaction_avg: float | None
    satisfaction_share_4_5: float | None
    rated: int
    top_keywords: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def _late(at: str, due: str, now: str, postgres: bool) -> str:
    """Answered after the deadline, or not yet and the deadline passed."""
    if postgres:
        return f"(({at} IS NOT NULL AND {at} > {due}) OR ({at} IS NULL AND {due} < {now}))"
    a, d, n = (f"julianday({x})" for x in (at, due, now))
    return f"(({at} IS NOT NULL AND {a} > {d}) OR ({at} IS NULL AND {d} < {n}))"


def _seconds(at: str, postgres: bool) -> str:
    if postgres:
        return f"EXTRACT(EPOCH FROM (c.{at} - c.created_at))"
    return f"(julianday(c.{at}) - julianday(c.created_at)) * 86400.0"


async def counts(start: datetime, end: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Tickets opened in the period, by category and by severity."""
    by_category: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for row in await sql.fetch(_COUNTS, [start, end]):
        by_category[row["category"]] += int(row["n"])
        by_severity[row["severity"]] += int(row["n"])
    return dict(by_category), dict(by_severity)


async def durations(start: datetime, end: datetime, at: str) -> Durations:
    """From opening to `at` (first_response_at or resolved_at): count, median, p90."""
    query = _DURATIONS.format(seconds=_seconds(at, sql.is_postgres()), at=at)
    values = [float(row["seconds"]) for row in await sql.fetch(query, [start, end])]
    return Durations(len(values), _percentile(values, 0.5), _percentile(values, 0.9))


def _percentile(ordered: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (as PostgreSQL's percentile_cont)."""
    if not ordered:
        return None
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def rates(start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    pg, mark = sql.is_postgres(), "?"
    late_answer = _late("c.first_response_at", "c.first_response_due", mark, pg)
    late_fix = _late("c.resolved_at", "c.resolution_due", mark, pg)
    query = _RATES.format(late_answer=late_answer, late_fix=late_fix)
    # the marks in order: now (late answer), now (late fix), then the period
    [row] = await sql.fetch(query, [now, now, start, end])
    return row


def _share(part: Any, whole: Any) -> float | None:
    return None if not whole else round(int(part or 0) / int(whole), 4)


async def top_keywords(start: datetime, end: datetime, limit: int = 10
                       ) -> dict[str, list[tuple[str, int]]]:  # fmt: skip
    """The words most complained about per category (nlp's keywords of every ticket text)."""
    found: dict[str, Counter[str]] = {}
    for row in await sql.fetch(_TEXTS, [start, end]):
        words = {w for w in nlp.analyze(row["text"]).keywords if w not in _NOT_POINTS}
        found.setdefault(row["category"], Counter()).update(words)
    return {name: counter.most_common(limit) for name, counter in found.items()}


async def analyse(start: datetime, end: datetime, clock: Clock | None = None) -> Analysis:
    """Everything above for tickets opened in [start, end)."""
    by_category, by_severity = await counts(start, end)
    row = await rates(start, end, utcnow(clock))
    avg = row["satisfaction"]
    return Analysis(
        start, end, int(row["total"] or 0), by_category, by_severity,
        await durations(start, end, "first_response_at"),
        await durations(start, end, "resolved_at"),
        _share(row["breached"], row["total"]), _share(row["reopened"], row["resolved"]),
        None if avg is None else round(float(avg), 2),
        _share(row["satisfied"], row["rated"]), int(row["rated"] or 0),
        await top_keywords(start, end),
    )  # fmt: skip
