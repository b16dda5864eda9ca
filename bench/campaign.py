"""Campaign sending benchmark: a run of N customers sent by `siyu worker` processes to the
fake WeChat API on loopback (PostgreSQL + Redis), measured end to end from the first claim
to the last delivery recorded.

    python bench/campaign.py --database postgres://postgres@127.0.0.1:5432/siyu_campaign \
        --redis redis://127.0.0.1:6379/11 --customers 100000 --workers 1 [--rate 500]

The run is enqueued with one INSERT … SELECT (as crm.campaigns.runs does); each delivery is
rendered, its channel chosen (template message: no customer wrote in), sent, marked sent and
journaled. Prints deliveries/s, the workers' peak RSS (VmHWM) and their CPU µs per delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm.database import close_database, migrate, open_database  # noqa: E402
from crm.sql import execute, fetch  # noqa: E402

TPL = "/cgi-bin/message/template/send"
_CUSTOMERS = """
INSERT INTO customer (openid, display_name, gender, source_channel, subscribed, opted_out,
                      attributes, created_at, updated_at)
SELECT 'o-' || g, '客户' || g, 'unknown', 'oa', TRUE, g % 100 = 0, '{}', now(), now()
FROM generate_series(1, $1) g
"""
_CAMPAIGN = """
INSERT INTO campaign (name, kind, status, rule, text, template_message, schedule, timezone,
                      frequency_exempt, options, created_at, updated_at)
VALUES ('bench', 'custom', 'running', NULL, '您好，{{ customer.display_name }}',
        '{"template_id": "tpl-bench", "data": {"thing1": "{{ customer.display_name }}"}}',
        '{"at": "2026-12-01T10:00:00"}', 'Asia/Shanghai', FALSE, '{}', now(), now())
RETURNING id
"""
_RUN = """
INSERT INTO campaign_run (campaign_id, run_key, run_date, step, status, dry_run, targeted,
                          started_at)
VALUES ($1, 'bench', current_date, 1, 'sending', FALSE, 0, now()) RETURNING id
"""
_DELIVERIES = """
INSERT INTO campaign_delivery (run_id, campaign_id, customer_id, status, marketing, due_at,
                               attempts, created_at, updated_at)
SELECT $1, $2, id, 'pending', TRUE, now(), 0, now(), now() FROM customer
"""
_EMPTY = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"


async def seed_run(database_url: str, customers: int, *, fresh: bool = False) -> int:
    """`customers` followers (1 in 100 opted out), one campaign and one run holding them all,
    all set-based; returns how many are reachable."""
    if fresh:
        await open_database(database_url)
        await execute(_EMPTY)
        await close_database()
        await migrate(database_url)
        await close_database()
    await open_database(database_url)
    try:
        await execute(_CUSTOMERS, [customers])
        [campaign] = await fetch(_CAMPAIGN)
        [run] = await fetch(_RUN, [campaign["id"]])
        await execute(_DELIVERIES, [run["id"], campaign["id"]])
    finally:
        await close_database()
    return customers - customers // 100


async def pending(database_url: str) -> int:
    await open_database(database_url)
    try:
        [row] = await fetch("SELECT count(*) AS n FROM campaign_delivery WHERE status = 'pending'")
    finally:
        await close_database()
    return int(row["n"])


def _env(database_url: str, redis_url: str, api: str, rate: float | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    env.update(
        SIYU_DATABASE_URL=database_url, SIYU_REDIS_URL=redis_url, SIYU_SCHEDULER__ENABLED="false",
        SIYU_NLP__ENABLED="false", SIYU_WECHAT__OA__API_BASE_URL=api,
        SIYU_WECHAT__WECOM__API_BASE_URL=api, SIYU_CAMPAIGNS__IDLE_SECONDS="0.2",
    )  # fmt: skip
    if rate:
        env["SIYU_CAMPAIGNS__RATE_LIMITS"] = json.dumps({"template": rate})
    return env


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from bot.cli import main; main()", *args]
    out = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _proc(pid: int) -> tuple[float, float]:
    """(peak RSS MiB, CPU seconds) of a live process."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return hwm / 1024, cpu


def _sent(api: str) -> int:
    with urllib.request.urlopen(f"{api}/_fake/calls?path={TPL}&limit=0", timeout=30) as answer:
        return int(json.loads(answer.read())["total"])


def _wait_up(api: str) -> None:
    for _ in range(200):
        try:
            _sent(api)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the fake WeChat API did not start")


async def ensure_database(url: str) -> None:
    """Creates the benchmark's database when it does not exist yet (the schema comes after)."""
    import asyncpg

    base, _, name = url.rpartition("/")
    server = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()


def bench(args: argparse.Namespace) -> dict[str, float]:
    asyncio.run(ensure_database(args.database))
    reachable = asyncio.run(seed_run(args.database, args.customers, fresh=True))
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    api = f"http://127.0.0.1:{args.port}"
    env = _env(args.database, args.redis, api, args.rate)
    fake = _spawn(["fake-wechat", "--port", str(args.port), "--no-windows"], env, logs / "fake.log")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        _wait_up(api)
        workers = [_spawn(["worker"], env, logs / f"worker{i}.log") for i in range(args.workers)]
        while _sent(api) == 0:
            time.sleep(0.05)
        started = time.monotonic()
        while asyncio.run(pending(args.database)):
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        usage = [_proc(w.pid) for w in workers]
    finally:
        for process in [*workers, fake]:
            process.terminate()
            process.wait(30)
    return {
        "customers": args.customers, "workers": args.workers, "rate_limit": args.rate or 0,
        "sent": reachable, "seconds": round(elapsed, 1),
        "deliveries_per_s": round(reachable / elapsed), "peak_rss_mib": round(max(u[0] for u in usage), 1),
        "worker_cpu_us_per_delivery": round(sum(u[1] for u in usage) / reachable * 1e6),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/siyu_campaign")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=None, help="template messages per second")
    parser.add_argument("--port", type=int, default=18_765)
    parser.add_argument("--logs", default="/tmp/siyu-bench-campaign")
    print(json.dumps(bench(parser.parse_args()), ensure_ascii=False))


if __name__ == "__main__":
    main()
