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
    FOLLOW = "follow"
    CLICK = "click"  # a menu click (CLICK, not VIEW)
    SCAN = "scan"  # SCAN, scancode_push, scancode_waitmsg
    EVENT = "event"  # any of the three above


_EVENT_WINDOW = (60.0, 3)
_OPENS: dict[InboundKind, tuple[float, int]] = {
    InboundKind.MESSAGE: (48 * 3600, 5),
    **{kind: _EVENT_WINDOW for kind in (InboundKind.FOLLOW, InboundKind.CLICK, InboundKind.SCAN)},
    InboundKind.EVENT: _EVENT_WINDOW,
}


@dataclass
class _Window:
    until: float
    left: int


class CustomerWindows:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._open: dict[str, list[_Window]] = {}

    def opened(self, openid: str, kind: InboundKind, at: float | None = None) -> None:
        """`at`: when the customer acted (epoch seconds; default now)."""
        lifetime, quota = _OPENS[kind]
        window = _Window((self._now() if at is None else at) + lifetime, quota)
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
