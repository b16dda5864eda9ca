"""Redis store for scale-out: every web process sees the same keys."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.exceptions import LockError

from bot.store.base import LockTimeout

_INCR_WITH_TTL = """
local value = redis.call('INCR', KEYS[1])
if value == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return value
"""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisStore:
    def __init__(self, url: str, prefix: str = "siyu:") -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._incr = self._redis.register_script(_INCR_WITH_TTL)

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._redis.set(self._k(key), value, nx=True, px=_ms(ttl)))

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._k(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        await self._redis.set(self._k(key), value, px=_ms(ttl) if ttl else None)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def incr(self, key: str, ttl: float | None = None) -> int:
        return int(await self._incr(keys=[self._k(key)], args=[_ms(ttl) if ttl else 0]))

    @asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 10.0) -> AsyncIterator[None]:
        lock = self._redis.lock(self._k(f"lock:{name}"), timeout=ttl, blocking_timeout=wait)
        if not await lock.acquire():
            raise LockTimeout(name)
        try:
            yield
        finally:
            # LockError: the lease ran out and someone else may hold it now; nothing to release
            with contextlib.suppress(LockError):
                await lock.release()

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
