"""The per-API send rate, one reservation schedule in the store shared by every worker: each
send reserves the next slot and sleeps until it comes (one store call, no polling)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from crm.models import SendChannel

# A quarter second of sends may go at once. Between two batches (claiming and rendering the
# next 500: 50-150 ms under load) nobody reserves; the burst lets the next batch make that up.
# At a 500/s limit a tenth of a second gave 478/s (100,000 deliveries), a quarter 500/s.
BURST_SECONDS = 0.25


class TokenBuckets(Protocol):
    async def reserve_tokens(
        self, key: str, rate: float, burst: float, count: int = 1
    ) -> float: ...


class RateLimiter:
    def __init__(self, buckets: TokenBuckets, limits: Mapping[str, float]) -> None:
        self._buckets = buckets
        self._limits = {name: rate for name, rate in limits.items() if rate > 0}

    def rate(self, channel: SendChannel) -> float | None:
        return self._limits.get(channel.value)

    async def wait(self, channel: SendChannel) -> None:
        """Returns when one call on `channel` is allowed (at once when unlimited)."""
        rate = self._limits.get(channel.value)
        if rate is None:
            return
        burst = max(1.0, rate * BURST_SECONDS)
        delay = await self._buckets.reserve_tokens(f"ratelimit:{channel.value}:due", rate, burst)
        if delay > 0:
            await asyncio.sleep(delay)
