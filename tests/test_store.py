"""The store contract, on the in-process store and on real Redis."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.store import LockTimeout, MemoryStore, RedisStore, Store, StoreSettings

TEST_CONFIG = Path(__file__).parent / "data" / "config.yaml"


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
    assert await store.incr("n", 0.4) == 1
    await asyncio.sleep(0.2)
    assert [await store.incr("n", 0.4) for _ in range(2)] == [2, 3]
    left = await store.ttl("n")
    assert left is not None and 0 < left <= 0.25  # the window opened by the first incr, kept
    await asyncio.sleep(left + 0.05)
    assert await store.get("n") is None
    assert await store.incr("n", 5) == 1  # a new window


async def test_incr_without_ttl_never_expires(store: Store) -> None:
    assert [await store.incr("forever") for _ in range(2)] == [1, 2]
    assert await store.ttl("forever") is None
    assert await store.ttl("missing") is None


async def test_replace_and_delete_if_compare_first(store: Store) -> None:
    await store.set("lease", "mine", 5)
    assert not await store.replace("lease", "theirs", "taken", 5)
    assert await store.replace("lease", "mine", "mine-2", 0.5)
    assert await store.get("lease") == "mine-2"
    left = await store.ttl("lease")
    assert left is not None and left <= 0.5  # the replace set the new ttl
    assert not await store.delete_if("lease", "mine")
    assert await store.delete_if("lease", "mine-2")
    assert await store.get("lease") is None
    assert not await store.replace("lease", "mine-2", "again", 5)  # gone: nothing to replace


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


async def test_a_bucket_takes_its_burst_then_refuses_with_the_wait(store: Store) -> None:
    assert [await store.take_tokens("bucket", rate=10, burst=3) for _ in range(3)] == [0, 0, 0]
    wait = await store.take_tokens("bucket", rate=10, burst=3)
    assert 0.05 < wait <= 0.1  # refused: nothing taken, the wait for one token
    await asyncio.sleep(wait + 0.02)
    assert await store.take_tokens("bucket", rate=10, burst=3) == 0


async def test_reserved_slots_come_at_the_rate_after_a_burst(store: Store) -> None:
    async def slot() -> float:  # when the reserved slot comes, on this process's clock
        return time.monotonic() + await store.reserve_tokens("rate", rate=20, burst=5)

    start = time.monotonic()
    slots = [await slot() for _ in range(25)]
    assert all(at - start < 0.03 for at in slots[:5])  # the burst goes at once
    steps = [later - earlier for earlier, later in itertools.pairwise(slots[5:])]
    assert all(abs(step - 0.05) < 0.01 for step in steps)  # then one slot every 1/rate s
    assert await store.reserve_tokens("other", rate=20, burst=5) == 0  # keys are separate


async def test_slots_not_reserved_while_idle_are_not_banked_beyond_the_burst(store: Store) -> None:
    for _ in range(3):
        await store.reserve_tokens("idle", rate=10, burst=2)
    await asyncio.sleep(0.6)  # idle: 6 slots' time passes, only a burst of 2 may follow
    waits = [await store.reserve_tokens("idle", rate=10, burst=2) for _ in range(4)]
    assert waits[:2] == [0, 0] and waits[2] > 0.05 and waits[3] > waits[2] + 0.05


def test_the_pool_is_configured_from_yaml_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_settings(Path(__file__).parent.parent / "config.yaml")
    assert shipped.store == StoreSettings()  # config.yaml documents the defaults
    monkeypatch.setenv("SIYU_STORE__MAX_CONNECTIONS", "7")
    monkeypatch.setenv("SIYU_STORE__POOL_TIMEOUT_SECONDS", "0.5")
    settings = load_settings(TEST_CONFIG)
    assert (settings.store.max_connections, settings.store.pool_timeout_seconds) == (7, 0.5)
    monkeypatch.setenv("SIYU_STORE__MAX_CONNECTIONS", "0")
    with pytest.raises(
        ConfigError, match=r"store\.max_connections \(SIYU_STORE__MAX_CONNECTIONS\)"
    ):
        load_settings(TEST_CONFIG)
