"""Real `siyu worker` processes on PostgreSQL sharing one run, and THE kill -9 test: a
100,000-customer run, one worker killed in the middle and started again; the fake WeChat
API's call log must hold every reachable customer exactly once (duplicates only inside the
in-flight window: the sends a killed worker had answered but not yet recorded)."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from bench.campaign import pending, seed_run
from tests.webhooks.live import (
    Process,
    fresh_schema,
    postgres_and_redis,
    serve_env,
    start_fake,
    start_worker,
    wait_for,
    wait_ready,
)

TPL = "/cgi-bin/message/template/send"
CONCURRENCY = 32


def _calls(fake: Process, since: int = 0, limit: int = 20_000) -> dict:
    url = f"{fake.url}/_fake/calls?path={TPL}&since={since}&limit={limit}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def _sent_to(fake: Process) -> Counter[str]:
    """Every accepted template message's recipient, read in pages."""
    seen: Counter[str] = Counter()
    since = 0
    while True:
        page = _calls(fake, since)
        seen.update(c["body"]["touser"] for c in page["calls"] if not c["errcode"])
        if page["next"] >= page["total"]:
            return seen
        since = page["next"]


def _env(database_url: str, redis_url: str, fake: Process) -> dict[str, str]:
    return serve_env(
        database_url, redis_url, fake.url,
        SIYU_CAMPAIGNS__LEASE_SECONDS="5", SIYU_CAMPAIGNS__BATCH_SIZE="500",
        SIYU_CAMPAIGNS__CONCURRENCY=str(CONCURRENCY), SIYU_CAMPAIGNS__IDLE_SECONDS="0.2",
    )  # fmt: skip


def _run_with_workers(
    tmp_path: Path, customers: int, *, kill_at: int | None
) -> tuple[int, Counter[str]]:
    database_url, redis_url = postgres_and_redis()
    fresh_schema(database_url)
    reachable = asyncio.run(seed_run(database_url, customers))
    fake = start_fake(serve_env(database_url, redis_url, "http://unused"), tmp_path)
    workers: list[Process] = []
    try:
        wait_ready([fake], "/_fake/calls?limit=0")
        env = _env(database_url, redis_url, fake)
        workers = [start_worker(f"worker-{i}", env, tmp_path) for i in (1, 2)]
        if kill_at is not None:
            wait_for(
                lambda: _calls(fake, limit=0)["total"] >= kill_at, 300, "sends", [fake, *workers]
            )
            workers[0].kill()
            workers[0] = start_worker("worker-1", env, tmp_path)  # started again
        done = lambda: asyncio.run(pending(database_url)) == 0  # noqa: E731
        wait_for(done, 600, "every delivery final", [fake, *workers])
        return reachable, _sent_to(fake)
    finally:
        for process in [*workers, fake]:
            process.stop()


def _report(reachable: int, seen: Counter[str]) -> tuple[int, int]:
    duplicates = sum(n - 1 for n in seen.values())
    opted_out = [openid for openid in seen if int(openid[2:]) % 100 == 0]
    assert opted_out == [], "an opted-out customer got the message"
    misses = reachable - len(seen)
    print(f"reachable {reachable}, sent {len(seen)}, duplicates {duplicates}, misses {misses}")
    return duplicates, misses


def test_two_workers_share_one_run_exactly_once(tmp_path: Path) -> None:
    reachable, seen = _run_with_workers(tmp_path, 3000, kill_at=None)
    assert _report(reachable, seen) == (0, 0)


@pytest.mark.once
def test_kill_9_one_of_two_workers_in_a_100000_customer_run(tmp_path: Path) -> None:
    reachable, seen = _run_with_workers(tmp_path, 100_000, kill_at=40_000)
    duplicates, misses = _report(reachable, seen)
    assert misses == 0
    assert duplicates <= CONCURRENCY  # only the killed worker's sends in flight
