"""The customer-service windows of the Official Account, on the fake's clock.

A customer's message opens 5 messages within 48 hours; a follow, a QR scan or a menu click
opens 3 within 1 minute. Outside every window WeChat answers 45015; with the quota spent, 45047.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crm.clock import Clock


class InboundKind(StrEnum):
    MESSAGE = "message"
    EVENT = "event"


_OPENS: dict[InboundKind, tuple[float, int]] = {
    InboundKind.MESSAGE: (48 * 3600, 5),
    InboundKind.EVENT: (60, 3),
}


@dataclass
class _Window:
    until: float
    left: int


class CustomerWindows:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._open: dict[str, list[_Window]] = {}

    def opened(self, openid: str, kind: InboundKind) -> None:
        lifetime, quota = _OPENS[kind]
        window = _Window(self._now() + lifetime, quota)
        self._open.setdefault(openid, []).append(window)

    def take(self, openid: str) -> int | None:
        """Spends one message of the customer's soonest-closing window; the errcode if none."""
        now = self._now()
        live = [w for w in self._open.get(openid, []) if w.until > now]
        self._open[openid] = live
        usable = [w for w in live if w.left > 0]
        if not live:
            return 45015
        if not usable:
            return 45047
        min(usable, key=lambda w: w.until).left -= 1
        return None

    def _now(self) -> float:
        return self._clock.now().timestamp()
