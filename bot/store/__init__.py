"""The store: Redis when SIYU_REDIS_URL is set, in-process memory otherwise."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.store.base import LockTimeout, Store, StoreUnavailable
from bot.store.config import StoreSettings
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore


def open_store(redis_url: str | None, settings: StoreSettings | None = None) -> Store:
    return RedisStore(redis_url, settings=settings) if redis_url else MemoryStore()


@asynccontextmanager
async def opened_store(
    redis_url: str | None, settings: StoreSettings | None = None
) -> AsyncIterator[Store]:
    """The store for the block, reachable when it starts (a ping), closed when it ends."""
    store = open_store(redis_url, settings)
    try:
        await store.ping()
        yield store
    finally:
        await store.close()


__all__ = [
    "LockTimeout",
    "MemoryStore",
    "RedisStore",
    "Store",
    "StoreSettings",
    "StoreUnavailable",
    "open_store",
    "opened_store",
]
