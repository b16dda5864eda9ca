"""One clock for everything that reads the time, injected, so tests move time instead of
patching `datetime` in many modules. `utcnow()` is the one module-level reading of it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC datetime."""
        ...

    def monotonic(self) -> float:
        """Seconds for measuring intervals (never jumps backwards)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FrozenClock:
    """A clock that moves only when told to (tests, the fake WeChat API's windows), or one
    instant held for a whole batch job."""

    def __init__(self, at: datetime | None = None) -> None:
        self._now = (at or datetime.now(UTC)).astimezone(UTC)
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        """Move by `seconds` plus any timedelta keywords (days=, hours=, …). A step back moves
        only the wall clock, as a real clock being corrected does: monotonic never goes back."""
        step = timedelta(seconds=seconds, **delta)
        self._now += step
        self._mono += max(step.total_seconds(), 0.0)

    def set(self, at: datetime) -> None:
        self.advance((at.astimezone(UTC) - self._now).total_seconds())


SYSTEM_CLOCK: Clock = SystemClock()


def utcnow(clock: Clock | None = None) -> datetime:
    return (clock or SYSTEM_CLOCK).now()
