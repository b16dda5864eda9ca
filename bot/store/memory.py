"""In-process store for the embedded mode (one process; nothing survives a restart)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.store.base import LockTimeout
from crm import store_keys

_SWEEP_EVERY = 10_000


def lease_holder(raw: str | None) -> object:
    """The `holder` of a JSON lease value, as the Redis script reads it (None otherwise)."""
    try:
        lease = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return lease.get("holder") if isinstance(lease, dict) else None


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._writes = 0
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, at)
        self._slots: dict[str, float] = {}  # rate-limit key: when its last reserved slot comes

    def _expired(self, key: str, now: float) -> bool:
        entry = self._data.get(key)
        if entry is None:
            return True
        expires = entry[1]
        if expires is not None and expires <= now:
            del self._data[key]
            return True
        return False

    def _write(self, key: str, value: str, ttl: float | None) -> None:
        now = time.monotonic()
        self._data[key] = (value, now + ttl if ttl is not None else None)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        dead = [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]
        for key in dead:
            del self._data[key]

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        if not self._expired(key, time.monotonic()):
            return False
        self._write(key, value, ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._current(key)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._write(key, value, ttl)

    # Compare and write below run with no `await` between them: no other coroutine can
    # write the key in the gap, which is what the Redis store's Lua scripts guarantee there.

    def _current(self, key: str) -> str | None:
        return None if self._expired(key, time.monotonic()) else self._data[key][0]

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        if self._current(key) != expected:
            return False
        self._write(key, value, ttl)
        return True

    async def extend_lease(self, key: str, holder: str, value: str, ttl: float) -> bool:
        if lease_holder(self._current(key)) != holder:
            return False
        self._write(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def delete_if(self, key: str, expected: str) -> bool:
        if self._current(key) != expected:
            return False
        del self._data[key]
        return True

    async def incr(self, key: str, ttl: float | None = None) -> int:
        if self._expired(key, time.monotonic()):
            self._write(key, "1", ttl)
            return 1
        value, expires = self._data[key]
        new = int(value) + 1
        self._data[key] = (str(new), expires)
        return new

    async def ttl(self, key: str) -> float | None:
        now = time.monotonic()
        if self._expired(key, now):
            return None
        expires = self._data[key][1]
        return None if expires is None else expires - now

    async def take_tokens(self, key: str, rate: float, burst: float, count: int = 1) -> float:
        """The same bucket as the Redis store's script, on this process's monotonic clock."""
        now = time.monotonic()
        tokens, at = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        wait = 0.0 if tokens >= count else (count - tokens) / rate
        self._buckets[key] = (tokens - count if not wait else tokens, now)
        return wait

    async def reserve_tokens(
        self, key: str, rate: float, burst: float, count: int = 1
    ) -> float:  # fmt: skip
        """The Redis store's GCRA, on this process's monotonic clock."""
        now = time.monotonic()
        due = max(self._slots.get(key, now), now) + count / rate
        self._slots[key] = due
        return max(0.0, due - now - burst / rate)

    @asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 10.0) -> AsyncIterator[None]:
        key, token = store_keys.lock(name), uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not await self.set_if_absent(key, token, ttl):
            if time.monotonic() >= deadline:
                raise LockTimeout(name)
            await asyncio.sleep(0.01)
        try:
            yield
        finally:
            await self.delete_if(key, token)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()
