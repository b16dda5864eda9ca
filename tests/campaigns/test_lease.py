"""The scheduler lease is renewed by one atomic compare-and-extend: a process that lost the
lease can never overwrite the new leader's, not even when the takeover lands between the
old leader's read and its write. On the in-process store and on real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.store import MemoryStore, RedisStore, Store
from scheduler.leader import Leadership, Lease, current_lease

KEY = "scheduler:leader"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    redis_store = RedisStore(request.getfixturevalue("redis_url"), prefix="siyu-test:")
    yield redis_store
    await redis_store.close()


def lease(holder: str) -> str:
    return Lease(holder, datetime.now(UTC)).encode()


async def test_extend_only_while_the_lease_names_the_holder(store: Store) -> None:
    assert await store.set_if_absent(KEY, lease("old"), 5)
    assert await store.extend_lease(KEY, "old", lease("old"), 0.5)
    left = await store.ttl(KEY)
    assert left is not None and left <= 0.5  # extended to the new ttl
    await store.delete(KEY)
    assert not await store.extend_lease(KEY, "old", lease("old"), 5)  # gone: not recreated
    assert await store.get(KEY) is None
    assert await store.set_if_absent(KEY, lease("new"), 5)
    assert not await store.extend_lease(KEY, "old", lease("old"), 5)
    current = await current_lease(store)
    assert current is not None and current.holder == "new"


async def test_a_retried_renewal_whose_reply_was_lost_still_holds(store: Store) -> None:
    """redis-py retries a command once on a fresh connection: the script may run twice."""
    assert await store.set_if_absent(KEY, lease("me"), 5)
    first, again = lease("me"), lease("me")
    assert await store.extend_lease(KEY, "me", first, 5)
    assert await store.extend_lease(KEY, "me", again, 5)  # compares the holder, not the value


async def test_not_json_or_no_holder_is_never_extended(store: Store) -> None:
    await store.set(KEY, "me", 5)  # a bare string that merely equals the holder
    assert not await store.extend_lease(KEY, "me", lease("me"), 5)
    await store.set(KEY, '["me"]', 5)
    assert not await store.extend_lease(KEY, "me", lease("me"), 5)
    assert await store.get(KEY) == '["me"]'


class TakeoverInTheGap:
    """The store a stale leader talks to: right after its read returns, and right before its
    atomic renewal runs, another process takes the lease (the old one ran out meanwhile)."""

    def __init__(self, store: Store, newcomer: str) -> None:
        self._store, self._newcomer, self.armed, self.took_over = store, newcomer, False, False

    async def _take_over(self) -> None:
        if self.armed and not self.took_over:
            await self._store.delete(KEY)  # expired
            self.took_over = await self._store.set_if_absent(KEY, lease(self._newcomer), 30)

    async def get(self, key: str) -> str | None:
        value = await self._store.get(key)
        await self._take_over()  # between a read and the write that would follow it
        return value

    async def extend_lease(self, key: str, holder: str, value: str, ttl: float) -> bool:
        await self._take_over()
        return await self._store.extend_lease(key, holder, value, ttl)

    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        return await self._store.set_if_absent(key, value, ttl)

    async def replace(self, key: str, expected: str, value: str, ttl: float) -> bool:
        await self._take_over()
        return await self._store.replace(key, expected, value, ttl)

    async def delete_if(self, key: str, expected: str) -> bool:
        return await self._store.delete_if(key, expected)


async def _until(condition: object, within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, f"not within {within}s"
        await asyncio.sleep(0.01)


async def test_a_new_holder_between_read_and_write_keeps_the_lease(store: Store) -> None:
    gap = TakeoverInTheGap(store, "newcomer")
    events: list[str] = []

    async def elected() -> None:
        events.append("elected")

    async def deposed() -> None:
        events.append("deposed")

    old = Leadership(gap, elected, deposed, lease_seconds=0.3)
    task = asyncio.create_task(old.run())
    try:
        await _until(lambda: old.leading, within=2)
        gap.armed = True
        await _until(lambda: not old.leading, within=2)
        assert gap.took_over
        current = await current_lease(store)
        assert current is not None and current.holder == "newcomer"  # never overwritten
        await asyncio.sleep(0.3)  # further attempts by the old leader change nothing
        current = await current_lease(store)
        assert current is not None and current.holder == "newcomer"
        assert events == ["elected", "deposed"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
