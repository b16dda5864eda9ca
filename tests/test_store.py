"""The store contract, on the in-process store and on real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.store import LockTimeout, MemoryStore, RedisStore, Store


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = request.getfixturevalue("redis_url")
    redis_store = RedisStore(url, prefix="siyu-test:")
    yield redis_store
    await redis_store.close()


async def test_set_if_absent_is_first_wins(store: Store) -> None:
    results = await asyncio.gather(*(store.set_if_absent("k", str(i), 5) for i in range(20)))
    assert results.count(True) == 1
    assert await store.get("k") == str(results.index(True))


async def test_ttl_expires(store: Store) -> None:
    assert await store.set_if_absent("short", "v", 0.05)
    await asyncio.sleep(0.12)
    assert await store.get("short") is None
    assert await store.set_if_absent("short", "again", 5)


async def test_get_set_delete(store: Store) -> None:
    assert await store.get("missing") is None
    await store.set("a", "中文值", 10)
    assert await store.get("a") == "中文值"
    await store.delete("a")
    assert await store.get("a") is None


async def test_incr_counts_and_keeps_ttl(store: Store) -> None:
    assert [await store.incr("n", 10) for _ in range(3)] == [1, 2, 3]


async def test_lock_excludes_and_times_out(store: Store) -> None:
    order: list[str] = []

    async def worker(name: str) -> None:
        async with store.lock("job", ttl=5, wait=2):
            order.append(f"{name}-in")
            await asyncio.sleep(0.05)
            order.append(f"{name}-out")

    await asyncio.gather(worker("a"), worker("b"))
    assert order[0].endswith("-in") and order[1].endswith("-out")
    assert order[0][0] == order[1][0]
    async with store.lock("held", ttl=5):
        with pytest.raises(LockTimeout):
            async with store.lock("held", ttl=5, wait=0.1):
                pass
