"""Once per source per interval: a log line for every refused request would let anyone flood
the log, so repeated refusals from one address are counted, not logged."""

from __future__ import annotations

from crm.clock import SYSTEM_CLOCK, Clock


class OncePerInterval:
    """`allow(source)` is True at most once per `interval` seconds for each source."""

    def __init__(self, interval: float, clock: Clock = SYSTEM_CLOCK, size: int = 10_000) -> None:
        self.interval = interval
        self._clock = clock
        self._size = size
        self._last: dict[str, float] = {}

    def allow(self, source: str) -> bool:
        now = self._clock.monotonic()
        last = self._last.get(source)
        if last is not None and now - last < self.interval:
            return False
        if len(self._last) >= self._size:  # bounded: a flood of addresses forgets the old ones
            self._last.clear()
        self._last[source] = now
        return True
