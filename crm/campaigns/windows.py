"""The customer-service window of each customer, read from the interactions.

WeChat (PROTOCOL.md, "Sending"): a customer's message opens 5 messages within 48 hours; a
follow, a menu click or a scan (CLICK, SCAN, scancode_push, scancode_waitmsg — not VIEW)
opens 3 within 1 minute. Each opening is its own window; a customer-service push spends one
message of the soonest-closing live window (the fake WeChat API counts the same way). Passive
replies to a callback are not pushes and spend nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import Channel, Direction
from crm.sql import as_datetime, fetch, marks

MESSAGE_WINDOW = (timedelta(hours=48), 5)
EVENT_WINDOW = (timedelta(minutes=1), 3)
OPENING_EVENTS = frozenset(
    f"event:{name}" for name in ("subscribe", "CLICK", "SCAN", "scancode_push", "scancode_waitmsg")
)
PUSH_PREFIX = "push:"

_ACTIVITY = """
SELECT customer_id, direction, kind, created_at FROM interaction
WHERE customer_id IN ({ids}) AND channel = ? AND created_at > ?
  AND (direction = 'in' OR kind LIKE 'push:%')
ORDER BY customer_id, created_at, id
"""


@dataclass
class _Window:
    until: datetime
    left: int


def opening(direction: str, kind: str) -> tuple[timedelta, int] | None:
    """The window an interaction opens, if any."""
    if direction != Direction.IN.value:
        return None
    if kind.startswith("event:"):
        return EVENT_WINDOW if kind in OPENING_EVENTS else None
    return MESSAGE_WINDOW


class CustomerWindows:
    """The live windows of one customer; `spend` takes one message as WeChat would."""

    def __init__(self) -> None:
        self._open: list[_Window] = []

    def open(self, at: datetime, length: timedelta, quota: int) -> None:
        self._open.append(_Window(at + length, quota))

    def left(self, now: datetime) -> int:
        return sum(w.left for w in self._open if w.until > now)

    def spend(self, now: datetime) -> bool:
        """One message of the soonest-closing usable window; False when there is none."""
        usable = [w for w in self._open if w.until > now and w.left > 0]
        if not usable:
            return False
        min(usable, key=lambda w: w.until).left -= 1
        return True


def _replay(rows: Iterable[dict]) -> dict[int, CustomerWindows]:
    windows: dict[int, CustomerWindows] = {}
    for row in rows:
        at = as_datetime(row["created_at"])
        state = windows.setdefault(int(row["customer_id"]), CustomerWindows())
        opens = opening(str(row["direction"]), str(row["kind"]))
        if opens is not None:
            state.open(at, *opens)
        elif row["direction"] == Direction.OUT.value:
            state.spend(at)
    return windows


async def service_windows(
    customer_ids: Sequence[int], *, clock: Clock = SYSTEM_CLOCK
) -> dict[int, CustomerWindows]:
    """The windows of a batch of customers in one query (only those with any activity in
    the last 48 h appear); bounded by what a customer can do in 48 hours."""
    if not customer_ids:
        return {}
    since = clock.now() - MESSAGE_WINDOW[0]
    sql = _ACTIVITY.format(ids=marks(len(customer_ids)))
    rows = await fetch(sql, [*customer_ids, Channel.OA.value, since])
    return _replay(rows)
