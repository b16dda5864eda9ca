"""One scheduler among several processes, and the nightly job it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.keys import LEADERSHIP, SCHEDULER
from bot.store import MemoryStore, RedisStore, Store
from crm import caches
from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.config import CrmSettings, PointsSettings
from crm.models import Customer, LifecycleStage, RfmScore
from crm.orders import OrderInput, record_order
from crm.points import earn
from scheduler.config import SchedulerSettings
from scheduler.jobs import nightly_customer_data
from scheduler.leader import Leadership, current_lease
from scheduler.service import SchedulerService
from tests.support.redis_server import RedisServer


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


async def _eventually(condition: Callable[[], bool], within: float, step: float = 0.02) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"not within {within}s"
        await asyncio.sleep(step)


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


async def test_leadership_outlives_a_redis_outage(
    private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(private_redis.url)
    recorders = [Recorder() for _ in range(2)]
    leaders = [Leadership(store, r.elected, r.deposed, lease_seconds=1.0) for r in recorders]
    tasks = [asyncio.create_task(leader.run()) for leader in leaders]
    try:
        await _eventually(lambda: any(leader.leading for leader in leaders), within=2)
        first = next(i for i, leader in enumerate(leaders) if leader.leading)
        caplog.set_level(logging.INFO, logger="siyu.scheduler")

        private_redis.kill()
        # it cannot renew before its lease (1 s) runs out: it steps down, and nobody leads
        await _eventually(lambda: recorders[first].events == ["elected", "deposed"], within=5)
        assert not any(leader.leading for leader in leaders)
        assert not any(task.done() for task in tasks)
        failures = [r for r in caplog.records if r.getMessage().startswith("scheduler lease:")]
        assert failures and all(r.levelno == logging.WARNING for r in failures)
        _no_traceback(caplog)

        private_redis.start()
        await _eventually(lambda: sum(leader.leading for leader in leaders) == 1, within=60)
        leader = next(leader for leader in leaders if leader.leading)
        lease = await current_lease(store)
        assert lease is not None and lease.holder == leader.me
        assert lease.renewed_at is not None
        assert datetime.now(UTC) - lease.renewed_at < timedelta(seconds=5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.close()


async def test_a_renewal_cannot_take_back_a_lease_another_process_holds() -> None:
    store, recorder = MemoryStore(), Recorder()
    leader = Leadership(store, recorder.elected, recorder.deposed, lease_seconds=0.3)
    task = asyncio.create_task(leader.run())
    try:
        await _eventually(lambda: leader.leading, within=1)
        await store.set("scheduler:leader", "another-process", 5)  # it took over meanwhile
        await _eventually(lambda: not leader.leading, within=1)
        assert await store.get("scheduler:leader") == "another-process"
        assert recorder.events == ["elected", "deposed"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_app_runs_the_scheduler(client: TestClient) -> None:
    app = client.server.app
    await _eventually(lambda: app[LEADERSHIP].leading, within=2)
    assert "nightly" in app[SCHEDULER].jobs()
    body = await (await client.get("/healthz")).json()
    assert body["scheduler"]["leader"] == app[LEADERSHIP].me
    assert body["scheduler"]["this_process"] is True
    renewed = datetime.fromisoformat(body["scheduler"]["renewed_at"])
    assert abs(datetime.now(UTC) - renewed) < timedelta(seconds=30)


async def test_the_apps_scheduler_comes_back_with_redis(
    aiohttp_client,
    settings: Settings,
    private_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    short = settings.scheduler.model_copy(update={"lease_seconds": 1.5})  # validated: >= 5 s
    caches.clear()
    client: TestClient = await aiohttp_client(
        create_app(settings.model_copy(update={"redis_url": private_redis.url, "scheduler": short}))
    )
    app = client.server.app
    await _eventually(lambda: "nightly" in app[SCHEDULER].jobs(), within=2)
    caplog.set_level(logging.INFO)

    private_redis.kill()
    await _eventually(lambda: app[SCHEDULER].jobs() == [], within=6)  # stepped down
    body = await (await client.get("/healthz")).json()
    assert body["status"] == "fail"
    assert body["scheduler"] == {"leader": None, "renewed_at": None, "this_process": False}
    _no_traceback(caplog)

    private_redis.start()
    await _eventually(lambda: "nightly" in app[SCHEDULER].jobs(), within=60)
    # the jobs are added before the elector marks itself leading (one await apart): wait for
    # both, or /healthz can read this_process False in between (seen once in CI on PostgreSQL)
    await _eventually(lambda: app[LEADERSHIP].leading, within=2)
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200
    assert body["scheduler"]["leader"] == app[LEADERSHIP].me
    assert body["scheduler"]["this_process"] is True


async def test_service_schedules_the_nightly_job() -> None:
    service = SchedulerService(
        SchedulerSettings(nightly_at="03:30"), CrmSettings(), "Asia/Shanghai"
    )
    await service.start()
    try:
        assert "nightly" in service.jobs()
        job = service.scheduler.get_job("nightly")  # type: ignore[union-attr]
        assert job.next_run_time.hour == 3 and job.next_run_time.minute == 30
    finally:
        await service.stop()


async def test_nightly_job_runs_on_the_database(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    active = await Customer.create(openid="o-night-1", last_active_at=now - timedelta(days=1))
    await record_order(OrderInput(external_id="NIGHT-1", customer_id=active.id,
                                  amount=Decimal("20"), paid_at=now - timedelta(days=3)), actor=SYSTEM)  # fmt: skip
    await earn(active.id, 10, "old", clock=FrozenClock(now - timedelta(days=400)), actor=SYSTEM)
    twin = await Customer.create(openid="o-night-2", phone="138 0000 0009", last_active_at=now)
    other = await Customer.create(openid="o-night-3", phone="+8613800000009")
    caplog.set_level(logging.INFO, logger="siyu.scheduler")

    await nightly_customer_data(CrmSettings(points=PointsSettings(validity_days=365)))
    assert "nightly: 1 merged, 1 points entries expired" in caplog.text
    fresh = await Customer.get(id=active.id)
    assert fresh.points_balance == 0 and fresh.lifecycle_stage == LifecycleStage.NEW
    assert await RfmScore.exists(customer_id=active.id)
    merged = {(await Customer.get(id=c.id)).merged_into_id for c in (twin, other)}  # type: ignore[attr-defined]
    assert merged in ({None, twin.id}, {None, other.id})  # one survives, one points to it

    caplog.clear()
    await nightly_customer_data(CrmSettings(points=PointsSettings(validity_days=365)))
    assert "nightly: 0 merged, 0 points entries expired" in caplog.text  # idempotent


def test_bad_time_is_a_config_error() -> None:
    with pytest.raises(ValueError):
        SchedulerSettings(nightly_at="25:00")
