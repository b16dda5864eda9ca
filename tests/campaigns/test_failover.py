"""Real `siyu worker` processes on PostgreSQL and Redis (both passes: two processes share a
database only on PostgreSQL): the leader is killed with SIGKILL and the other takes over
within a minute; a campaign edited in another process is rescheduled by the leader within
seconds."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scheduler.leader import Lease
from tests.webhooks.live import (
    ROOT,
    Process,
    fresh_schema,
    postgres_and_redis,
    serve_env,
    start_worker,
    wait_for,
)

LEASE = "siyu:scheduler:leader"
TAKEOVER_SECONDS = 60.0


@pytest.fixture
def urls() -> tuple[str, str]:
    database_url, redis_url = postgres_and_redis()
    fresh_schema(database_url)
    return database_url, redis_url


@pytest.fixture
def env(urls: tuple[str, str]) -> dict[str, str]:
    return serve_env(
        *urls, "http://127.0.0.1:9",  # no WeChat call is made here
        SIYU_SCHEDULER__ENABLED="true", SIYU_SCHEDULER__LEASE_SECONDS="5",
        SIYU_SCHEDULER__CAMPAIGNS_POLL_SECONDS="0.5",
    )  # fmt: skip


@pytest.fixture
def workers(env: dict[str, str], tmp_path: Path) -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()


def holder_pid(client: redis.Redis) -> int | None:
    raw = client.get(LEASE)
    return int(Lease.decode(raw.decode()).holder.split(":")[1]) if raw else None


def test_the_stand_by_takes_over_when_the_leader_is_killed(
    urls: tuple[str, str], env: dict[str, str], workers: list[Process], tmp_path: Path
) -> None:
    client = redis.Redis.from_url(urls[1])
    workers += [start_worker("worker-a", env, tmp_path), start_worker("worker-b", env, tmp_path)]
    pids = {w.popen.pid: w for w in workers}
    wait_for(lambda: holder_pid(client) in pids, 60, "a leader", workers)
    leader = pids[holder_pid(client)]  # type: ignore[index]
    other = next(w for w in workers if w is not leader)
    wait_for(lambda: "scheduler started" in leader.log_path.read_text(), 30, "jobs", workers)

    killed_at = time.monotonic()
    leader.kill()  # SIGKILL: the lease is not given back, it has to run out
    wait_for(lambda: holder_pid(client) == other.popen.pid, TAKEOVER_SECONDS, "takeover", workers)
    assert time.monotonic() - killed_at < TAKEOVER_SECONDS
    wait_for(lambda: "scheduler started" in other.log_path.read_text(), 10, "jobs", workers)
    client.close()


EDIT = """
import asyncio, sys
from crm.database import close_database, open_database
from crm.models import Campaign

async def main(url, action):
    await open_database(url)
    if action == "create":
        made = await Campaign.create(name="edited", kind="custom", text="hi",
                                     schedule={"cron": "0 9 * * *"}, status="scheduled")
        print(made.id)
    elif action == "edit":
        made = await Campaign.get(name="edited")
        made.schedule = {"cron": "30 18 * * *"}
        await made.save()
    else:
        await Campaign.filter(name="edited").update(status="paused")
    await close_database()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def edit_elsewhere(database_url: str, action: str) -> str:
    """The edit is made by another process (as `siyu campaign create|pause` would)."""
    done = subprocess.run(
        [sys.executable, "-c", EDIT, database_url, action],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def _logged(process: Process, text: str, within: float) -> float:
    started = time.monotonic()
    while text not in process.log_path.read_text():
        if time.monotonic() - started > within or process.popen.poll() is not None:
            pytest.fail(f"{text!r} not logged within {within}s\n{process.log_tail()}")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_an_edit_in_another_process_is_rescheduled_within_seconds(
    urls: tuple[str, str], env: dict[str, str], workers: list[Process], tmp_path: Path
) -> None:
    workers.append(start_worker("leader", env, tmp_path))
    leader = workers[0]
    await _logged(leader, "scheduler started", 60)
    made = edit_elsewhere(urls[0], "create")
    assert await _logged(leader, f"campaign job scheduled: campaign:{made} (cron[", 10) < 10
    edit_elsewhere(urls[0], "edit")
    assert await _logged(leader, "hour='18', minute='30'", 10) < 10
    edit_elsewhere(urls[0], "pause")  # a bulk UPDATE: no auto_now
    assert await _logged(leader, f"campaign job removed: campaign:{made}", 10) < 10
