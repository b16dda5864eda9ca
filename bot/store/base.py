"""The key-value store: dedupe keys, chat state, locks, rate limits, the token cache."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from crm.errors import ServiceUnavailable


class LockTimeout(Exception):
    """The lock stayed held by someone else for longer than we were willing to wait."""


class StoreUnavailable(ServiceUnavailable):
    """The store did not answer (down, unreachable, no free connection in time): the caller
    answers 503 so the work is retried; the message names the cause, never a value."""


class Store(Protocol):
    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        """Set `key` only if it does not exist; True when this call set it."""
        ...

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        """Set `key` to `value` only while it holds `expected` (atomically); True when set."""
        ...

    async def extend_lease(self, key: str, holder: str, value: str, ttl: float) -> bool:
        """Compare-and-extend a lease: while `key` holds a JSON object whose `holder` is
        `holder`, set it to `value` with a fresh `ttl` (one atomic step); True when extended.
        Repeating a call whose reply was lost extends again instead of failing."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_if(self, key: str, expected: str) -> bool:
        """Delete `key` only while it holds `expected` (atomically); True when deleted."""
        ...

    async def incr(self, key: str, ttl: float | None = None) -> int:
        """Add one and return the new value; `ttl` applies when the key is created."""
        ...

    async def ttl(self, key: str) -> float | None:
        """Seconds until `key` expires; None when it does not exist or never expires."""
        ...

    async def take_tokens(self, key: str, rate: float, burst: float, count: int = 1) -> float:
        """Token bucket `key` (refilled at `rate` a second, holding at most `burst`): takes
        `count` tokens and returns 0, or takes none and returns the seconds to wait."""
        ...

    async def reserve_tokens(
        self, key: str, rate: float, burst: float, count: int = 1
    ) -> float:  # fmt: skip
        """Rate limit `key` (`rate` a second, bursts of `burst`): reserves the next `count`
        slots and returns the seconds until they come (0: now). Always reserves, so a caller
        sleeps once and goes: no retry loop."""
        ...

    def lock(self, name: str, ttl: float, wait: float = 10.0) -> AbstractAsyncContextManager[None]:
        """Hold `name` for at most `ttl` seconds; raise LockTimeout after `wait` seconds."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
