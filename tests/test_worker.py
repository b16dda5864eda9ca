"""`siyu worker` is a real process without HTTP: it takes the scheduler lease in Redis and,
on SIGTERM or SIGINT, stops cleanly and gives the lease back. `siyu serve --no-worker` is the
web part alone: it never competes for the lease."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as redis
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.keys import SCHEDULER
from scheduler.leader import Lease
from tests.webhooks import live

LEASE = "siyu:scheduler:leader"  # RedisStore's prefix + Leadership's key
TEST_CONFIG = Path(__file__).parent / "data" / "config.yaml"
START_TIMEOUT = 30.0


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SIYU_DATABASE_URL": database_url,
        "SIYU_REDIS_URL": redis_url,
        "SIYU_SCHEDULER__LEASE_SECONDS": "5",
    }


async def _siyu(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", *args,
        "--config", str(TEST_CONFIG), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


@pytest.fixture
async def lease(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def _holder(client: redis.Redis, process: asyncio.subprocess.Process) -> str:
    """The lease's holder once someone took it (or the process's output if it died first)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        value = await client.get(LEASE)
        if value:
            return Lease.decode(str(value)).holder
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    out = await _stop(process, signal.SIGKILL)
    raise AssertionError(f"no scheduler lease within {START_TIMEOUT}s; output:\n{out}")


async def _stop(process: asyncio.subprocess.Process, signum: int) -> str:
    if process.returncode is None:
        process.send_signal(signum)
    out, _ = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    return out.decode(errors="replace")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_worker_leads_the_scheduler_and_resigns_on_a_signal(
    database_url: str, redis_url: str, lease: redis.Redis, signum: int
) -> None:
    process = await _siyu("worker", env=_env(database_url, redis_url))
    assert await _holder(lease, process)
    out = await _stop(process, signum)
    assert process.returncode == 0, out
    assert await lease.get(LEASE) is None, out  # resigned: the next process leads at once
    assert "scheduler started" in out and "worker stopped" in out
    assert "Traceback" not in out


async def test_a_second_worker_stands_by_until_the_first_stops(
    database_url: str, redis_url: str, lease: redis.Redis
) -> None:
    env = _env(database_url, redis_url)
    first = await _siyu("worker", env=env)
    leader = await _holder(lease, first)
    second = await _siyu("worker", env=env)
    try:
        await _stop(first, signal.SIGTERM)
        assert await _holder(lease, second) != leader  # the stand-by took over
    finally:
        out = await _stop(second, signal.SIGTERM)
    assert second.returncode == 0, out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _healthy(url: str, process: asyncio.subprocess.Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline and process.returncode is None:
            try:
                async with session.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    out = await _stop(process, signal.SIGKILL)
    raise AssertionError(f"siyu serve did not become healthy; output:\n{out}")


@pytest.fixture
def shared_database() -> tuple[str, str]:
    """A web process and a worker share one database only on PostgreSQL (on SQLite a worker
    beside serve is refused: tests/test_cli.py), so the SQLite pass uses PostgreSQL here too."""
    database_url, redis_url = live.postgres_and_redis()
    live.fresh_schema(database_url)
    return database_url, redis_url


async def test_serve_no_worker_leaves_the_lease_alone(
    shared_database: tuple[str, str], lease: redis.Redis
) -> None:
    database_url, redis_url = shared_database
    port = _free_port()
    env = _env(database_url, redis_url)
    web = await _siyu(
        "serve", "--no-worker", "--insecure-demo-secrets", "--port", str(port), env=env
    )
    try:
        await _healthy(f"http://127.0.0.1:{port}", web)
        worker = await _siyu("worker", env=env)
        holder = await _holder(lease, worker)  # by now the web process had every chance
        await _stop(worker, signal.SIGTERM)
        assert await lease.get(LEASE) is None, holder  # it never held nor took the lease
    finally:
        out = await _stop(web, signal.SIGTERM)
    assert "scheduler" not in out


async def test_the_app_runs_the_background_work_unless_told_not_to(
    aiohttp_client, settings: Settings, redis_url: str, lease: redis.Redis
) -> None:  # type: ignore[no-untyped-def]
    shared = settings.model_copy(update={"redis_url": redis_url})
    web_only: TestClient = await aiohttp_client(create_app(shared, worker=False))
    assert SCHEDULER not in web_only.app
    both: TestClient = await aiohttp_client(create_app(shared))
    assert SCHEDULER in both.app
    for _ in range(250):  # the leader's first step is one Redis round trip away
        if both.app[SCHEDULER].jobs():
            break
        await asyncio.sleep(0.02)
    assert "nightly" in both.app[SCHEDULER].jobs()
    assert await lease.get(LEASE)
