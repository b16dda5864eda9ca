"""The store: Redis when SIYU_REDIS_URL is set, in-process memory otherwise."""

from bot.store.base import LockTimeout, Store, StoreUnavailable
from bot.store.config import StoreSettings
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore


def open_store(redis_url: str | None, settings: StoreSettings | None = None) -> Store:
    return RedisStore(redis_url, settings=settings) if redis_url else MemoryStore()


__all__ = [
    "LockTimeout",
    "MemoryStore",
    "RedisStore",
    "Store",
    "StoreSettings",
    "StoreUnavailable",
    "open_store",
]
