"""Redis store for scale-out: every web process sees the same keys.

The pool waits for a free connection (bounded) instead of failing at its cap; a connection
idle past the health-check interval is PINGed before use, and a command that fails on a
dead socket is retried once on a fresh one, so a Redis restart costs no stale-socket errors.
Every redis-py error leaves this module as StoreUnavailable.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import (
    ConnectionError,
    LockError,
    MaxConnectionsError,
    RedisError,
    TimeoutError,
)

from bot.store.base import LockTimeout, StoreUnavailable
from bot.store.config import StoreSettings
from crm import store_keys

log = logging.getLogger("siyu.store")

_INCR_WITH_TTL = """
local value = redis.call('INCR', KEYS[1])
if value == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return value
"""
_REPLACE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_EXTEND_LEASE = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, lease = pcall(cjson.decode, raw)
if not ok or type(lease) ~= 'table' or lease['holder'] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_DELETE_IF = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""

# Redis's own clock (TIME), so every worker's bucket agrees whatever their clocks say.
# A token bucket that takes or refuses (the admin API answers 429 with the wait).
_TAKE_TOKENS = """
local rate, burst, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local last = tonumber(held[2]) or now
local tokens = math.min(burst, (tonumber(held[1]) or burst) + (now - last) * rate)
local wait = 0
if tokens >= count then tokens = tokens - count else wait = (count - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


# GCRA (the generic cell rate algorithm): the key holds the time the last reserved slot
# comes; each call moves it on by count / rate. Every worker reserves here, so the total stays
# at `rate` exactly. The old token bucket had callers retry: 64 senders polling Redis every
# few milliseconds held a 500/s limit to 467/s.
_RESERVE_TOKENS = """
local rate, burst, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local due = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now) + count / rate
local ms = math.ceil((due - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', due), 'PX', ms)
return string.format('%.6f', math.max(0, due - now - burst / rate))
"""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class _Unavailable:
    """`with UNAVAILABLE:` turns redis-py's errors into StoreUnavailable (cheap: no frame)."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, RedisError):
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc


UNAVAILABLE = _Unavailable()


class WaitingConnectionPool(aioredis.BlockingConnectionPool):
    """redis-py's blocking pool, minus its waiting machinery while a connection is free.

    BlockingConnectionPool takes a Condition and arms a timeout for every command (about
    10 µs of CPU each, measured: a sixth of a SET's client cost); there is nothing to wait
    for below the cap, so only a request that finds the pool exhausted goes that way.
    """

    _waiting = 0

    async def get_connection(self, *args: object, **kwargs: object) -> AbstractConnection:
        if self.can_get_connection():
            with contextlib.suppress(MaxConnectionsError):  # taken meanwhile: wait below
                return await ConnectionPool.get_connection(self)
        self._waiting += 1
        try:
            return await super().get_connection()
        finally:
            self._waiting -= 1

    async def release(self, connection: AbstractConnection) -> None:
        if self._waiting:
            await super().release(connection)  # and wake a waiter
        else:
            await ConnectionPool.release(self, connection)


def connection_pool(url: str, settings: StoreSettings) -> WaitingConnectionPool:
    return WaitingConnectionPool.from_url(
        url,
        max_connections=settings.max_connections,
        timeout=settings.pool_timeout_seconds,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.connect_timeout_seconds,
        health_check_interval=settings.health_check_seconds,
        retry=Retry(ExponentialBackoff(), 1),
        retry_on_error=[ConnectionError, TimeoutError],
        decode_responses=True,
    )


class RedisStore:
    def __init__(
        self, url: str, prefix: str = "siyu:", settings: StoreSettings | None = None
    ) -> None:
        pool = connection_pool(url, settings or StoreSettings())
        self._redis = aioredis.Redis.from_pool(pool)  # closing the client closes the pool
        self._prefix = prefix
        self._incr = self._redis.register_script(_INCR_WITH_TTL)
        self._replace = self._redis.register_script(_REPLACE)
        self._delete_if = self._redis.register_script(_DELETE_IF)
        self._take_tokens = self._redis.register_script(_TAKE_TOKENS)
        self._reserve_tokens = self._redis.register_script(_RESERVE_TOKENS)
        self._extend_lease = self._redis.register_script(_EXTEND_LEASE)

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        with UNAVAILABLE:
            return bool(await self._redis.set(self._k(key), value, nx=True, px=_ms(ttl)))

    async def get(self, key: str) -> str | None:
        with UNAVAILABLE:
            value = await self._redis.get(self._k(key))
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with UNAVAILABLE:
            await self._redis.set(self._k(key), value, px=_ms(ttl) if ttl else None)

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        with UNAVAILABLE:
            return bool(await self._replace(keys=[self._k(key)], args=[expected, value, _ms(ttl)]))

    async def extend_lease(self, key: str, holder: str, value: str, ttl: float) -> bool:
        with UNAVAILABLE:
            answer = await self._extend_lease(keys=[self._k(key)], args=[holder, value, _ms(ttl)])
        return bool(answer)

    async def delete(self, key: str) -> None:
        with UNAVAILABLE:
            await self._redis.delete(self._k(key))

    async def delete_if(self, key: str, expected: str) -> bool:
        with UNAVAILABLE:
            return bool(await self._delete_if(keys=[self._k(key)], args=[expected]))

    async def incr(self, key: str, ttl: float | None = None) -> int:
        with UNAVAILABLE:
            return int(await self._incr(keys=[self._k(key)], args=[_ms(ttl) if ttl else 0]))

    async def ttl(self, key: str) -> float | None:
        with UNAVAILABLE:
            ms = int(await self._redis.pttl(self._k(key)))
        return ms / 1000 if ms >= 0 else None  # -2: no such key, -1: no expiry

    async def take_tokens(self, key: str, rate: float, burst: float, count: int = 1) -> float:
        with UNAVAILABLE:
            wait = await self._take_tokens(keys=[self._k(key)], args=[rate, burst, count])
        return float(wait)

    async def reserve_tokens(
        self, key: str, rate: float, burst: float, count: int = 1
    ) -> float:  # fmt: skip
        with UNAVAILABLE:
            wait = await self._reserve_tokens(keys=[self._k(key)], args=[rate, burst, count])
        return float(wait)

    @asynccontextmanager
    async def lock(self, name: str, ttl: float, wait: float = 10.0) -> AsyncIterator[None]:
        lock = self._redis.lock(self._k(store_keys.lock(name)), timeout=ttl, blocking_timeout=wait)
        with UNAVAILABLE:
            acquired = await lock.acquire()
        if not acquired:
            raise LockTimeout(name)
        try:
            yield
        finally:
            await _release(lock, name)

    async def ping(self) -> None:
        with UNAVAILABLE:
            await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


async def _release(lock: Lock, name: str) -> None:
    try:
        await lock.release()
    except LockError:
        pass  # the lease ran out and someone else may hold it now; nothing to release
    except RedisError as exc:  # the work under the lock is done; the lease runs out by itself
        log.warning("lock %s not released (%s: %s)", name, type(exc).__name__, exc)
