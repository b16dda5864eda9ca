"""One scheduler among several processes, and the nightly job it runs."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.store import MemoryStore, RedisStore, Store
from crm.config import CrmSettings
from scheduler.config import SchedulerSettings
from scheduler.jobs import nightly_customer_data
from scheduler.leader import Leadership
from scheduler.service import SchedulerService


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def elected(self) -> None:
        self.events.append("elected")

    async def deposed(self) -> None:
        self.events.append("deposed")


async def _exactly_one_leader(store: Store) -> None:
    recorders = [Recorder() for _ in range(3)]
    leaders = [Leadership(store, r.elected, r.deposed, lease_seconds=0.3) for r in recorders]
    tasks = [asyncio.create_task(leader.run()) for leader in leaders]
    await asyncio.sleep(0.5)
    assert sum(leader.leading for leader in leaders) == 1
    first = next(i for i, leader in enumerate(leaders) if leader.leading)
    tasks[first].cancel()  # the leader's process stops: it resigns, another takes over
    with contextlib.suppress(asyncio.CancelledError):
        await tasks[first]
    assert recorders[first].events == ["elected", "deposed"]
    await asyncio.sleep(0.5)
    assert sum(leader.leading for leader in leaders) == 1
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_one_leader_in_memory() -> None:
    await _exactly_one_leader(MemoryStore())


async def test_one_leader_across_processes_with_redis(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="siyu-test:")
    try:
        await _exactly_one_leader(store)
    finally:
        await store.close()


async def test_service_schedules_the_nightly_job() -> None:
    service = SchedulerService(
        SchedulerSettings(nightly_at="03:30"), CrmSettings(), "Asia/Shanghai"
    )
    await service.start()
    try:
        assert service.jobs() == ["nightly"]
        job = service.scheduler.get_job("nightly")  # type: ignore[union-attr]
        assert job.next_run_time.hour == 3 and job.next_run_time.minute == 30
    finally:
        await service.stop()


async def test_nightly_job_runs_on_the_database(database_url: str) -> None:
    await nightly_customer_data(CrmSettings())
    await nightly_customer_data(CrmSettings())  # idempotent


def test_bad_time_is_a_config_error() -> None:
    with pytest.raises(ValueError):
        SchedulerSettings(nightly_at="25:00")
