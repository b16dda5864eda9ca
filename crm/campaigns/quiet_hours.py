"""Quiet hours: no marketing push between start and end in the campaign's timezone. A delivery
that falls inside them is due at the end (the next allowed minute), never dropped."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def inside(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # across midnight, e.g. 22:00–08:00


def next_allowed(now: datetime, start: str | None, end: str | None, timezone: str) -> datetime:
    """`now` when it is outside the quiet hours (or there are none), else their end, in UTC."""
    if not start or not end or start == end:
        return now
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    quiet_start, quiet_end = _hhmm(start), _hhmm(end)
    if not inside(local.time(), quiet_start, quiet_end):
        return now
    day = local.date() if local.time() < quiet_end else local.date() + timedelta(days=1)
    return datetime.combine(day, quiet_end, tzinfo=zone).astimezone(UTC)
