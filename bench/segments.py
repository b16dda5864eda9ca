"""Segment benchmark on PostgreSQL: compiled rules vs hand-written SQL on 1,000,000 customers.

    createdb -h 127.0.0.1 -U postgres siyu_bench
    .venv/bin/python bench/segments.py [--url postgres://postgres@127.0.0.1:5432/siyu_bench]
        [--customers 1000000] [--runs 5] [--readme bench/README.md]

Seeds the database up to --customers (crm.seed, COPY), recomputes RFM and lifecycle (timed),
then for each case times count and fetch-ids of the compiled query and of a hand-written query
(median of --runs after one warm-up), checks both return the same customers, and prints a table.
With --readme it rewrites the "## segments" section of that file (other sections untouched).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections

from crm.birthdays import keys_between
from crm.clock import FrozenClock
from crm.database import close_database, migrate, open_database
from crm.lifecycle import recompute_lifecycle
from crm.rfm import recompute_rfm
from crm.seed import seed
from crm.segments import context, rule_members

LIVE = '"merged_into_id" IS NULL'
IDS = 'SELECT c."id" FROM "customer" c WHERE '
ANALYZE = (
    'VACUUM ANALYZE "customer", "customer_tag", "tag", "rfm_score", "interaction", "points_entry"'
)


# Customers whose credits past their date ($2), not yet swept by the expiry job, bring the
# balance valid now down to {value} or below (the cached points_balance still counts them).
_FELL_TO = (
    'SELECT e."customer_id" FROM "points_entry" e JOIN "customer" x ON x."id" = e."customer_id" '
    'WHERE e."remaining" > 0 AND e."expires_at" <= $2 GROUP BY e."customer_id", '
    'x."points_balance" HAVING SUM(e."remaining") >= x."points_balance" - {value}'
)


@dataclass(frozen=True)
class Case:
    name: str
    rule: dict[str, Any]
    sql: str  # hand-written SELECT of the ids, with $n parameters
    params: Callable[[datetime], list[Any]]
    count_sql: str = ""  # hand-written count, when better than COUNT(*) over `sql`


def _birthday_params(now: datetime) -> list[Any]:
    today = context(clock=FrozenClock(now)).today
    keys = keys_between(today, today)
    return [sorted(keys.solar), sorted(keys.lunar)]


CASES = [
    Case(
        "a birthday today",
        {"field": "birthday", "op": "today"},
        f'{IDS}{LIVE} AND ((c."birthday_calendar" = \'solar\' AND c."birthday_md" = ANY($1::int[])) '
        f'OR (c."birthday_calendar" = \'lunar\' AND c."birthday_md" = ANY($2::int[])))',
        _birthday_params,
    ),
    Case(
        "b inactive > 30 days and points > 100",
        {
            "all": [
                {"field": "last_active", "op": "not_within_days", "value": 30},
                {"field": "points_balance", "op": "gt", "value": 100},
            ]
        },
        f'{IDS}{LIVE} AND (c."last_active_at" < $1 OR c."last_active_at" IS NULL) '
        f'AND c."points_balance" > 100 AND c."id" NOT IN ({_FELL_TO.format(value=100)})',
        lambda now: [now - timedelta(days=30), now],
    ),
    Case(
        "c tag vip and not opted out",
        {"all": [{"field": "tag", "value": "vip"}, {"not": {"field": "opted_out"}}]},
        # The vip members from the tag index, minus the few who may not be counted.
        'SELECT ct."customer_id" AS "id" FROM "customer_tag" ct WHERE ct."tag_id" = '
        '(SELECT t."id" FROM "tag" t WHERE t."name" = \'vip\') AND NOT EXISTS (SELECT 1 FROM '
        '"customer" x WHERE x."id" = ct."customer_id" AND (x."opted_out" OR x."merged_into_id" '
        "IS NOT NULL))",
        lambda now: [],
    ),
    Case(
        "d at_risk and total spent > 500",
        {
            "all": [
                {"field": "lifecycle_stage", "value": "at_risk"},
                {"field": "total_spent", "op": "gt", "value": 500},
            ]
        },
        f'{IDS}{LIVE} AND c."lifecycle_stage" = \'at_risk\' AND c."total_spent" > 500',
        lambda now: [],
    ),
    Case(
        "e nested any/all/not, 6 conditions",
        {
            "any": [
                {"all": [{"field": "tag", "value": "vip"}, {"field": "city", "value": "上海"}]},
                {
                    "all": [
                        {
                            "not": {
                                "any": [
                                    {"field": "opted_out"},
                                    {"field": "lifecycle_stage", "value": "churned"},
                                ]
                            }
                        },
                        {"field": "points_balance", "op": "gt", "value": 200},
                        {"field": "last_active", "op": "within_days", "value": 30},
                    ]
                },
            ]
        },
        # Each branch through its own index (tag x city merge join, the covering points
        # index), duplicates dropped by UNION: an OR over a tag subquery and ranges can only be
        # answered by reading every customer.
        f'{IDS}{LIVE} AND c."city" = \'上海\' AND c."id" IN (SELECT ct."customer_id" '
        'FROM "customer_tag" ct WHERE ct."tag_id" = (SELECT t."id" FROM "tag" t '
        "WHERE t.\"name\" = 'vip')) "
        f'UNION {IDS}{LIVE} AND NOT c."opted_out" AND c."lifecycle_stage" <> \'churned\' '
        'AND c."points_balance" > 200 AND c."last_active_at" >= $1 '
        f'AND c."id" NOT IN ({_FELL_TO.format(value=200)})',
        lambda now: [now - timedelta(days=30), now],
        'SELECT COUNT(DISTINCT s."id") AS n FROM ('
        f'{IDS}{LIVE} AND c."city" = \'上海\' AND c."id" IN (SELECT ct."customer_id" '
        'FROM "customer_tag" ct WHERE ct."tag_id" = (SELECT t."id" FROM "tag" t '
        "WHERE t.\"name\" = 'vip')) "
        f'UNION ALL {IDS}{LIVE} AND NOT c."opted_out" AND c."lifecycle_stage" <> \'churned\' '
        'AND c."points_balance" > 200 AND c."last_active_at" >= $1 '
        f'AND c."id" NOT IN ({_FELL_TO.format(value=200)})) s',
    ),
]


async def sample(work: Callable[[], Awaitable[Any]]) -> float:
    gc.collect()  # a collection of the previous run's 100,000 rows is not this run's time
    gc.disable()
    try:
        started = time.perf_counter()
        await work()
        return (time.perf_counter() - started) * 1000
    finally:
        gc.enable()


async def timed_pair(
    compiled: Callable[[], Awaitable[Any]], hand: Callable[[], Awaitable[Any]], runs: int
) -> tuple[float, float, Any, Any]:
    """Medians of `runs` samples each, taken in turns so that both see the same conditions."""
    results = (await compiled(), await hand())  # warm-up (and the values checked)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(await sample(compiled))
        times[1].append(await sample(hand))
    return statistics.median(times[0]), statistics.median(times[1]), *results


@dataclass(frozen=True)
class Measure:
    case: str
    rows: int
    count_compiled: float
    count_hand: float
    ids_compiled: float
    ids_hand: float


async def measure(case: Case, now: datetime, runs: int) -> Measure:
    conn = connections.get("default")
    members = rule_members(case.rule, context(clock=FrozenClock(now)))
    params = case.params(now)
    count_sql = case.count_sql or f"SELECT COUNT(*) AS n FROM ({case.sql}) s"

    async def hand_count() -> int:
        rows = await conn.execute_query_dict(count_sql, params)
        return int(rows[0]["n"])

    async def hand_ids() -> set[int]:
        _, rows = await conn.execute_query(case.sql, params)
        return {r["id"] for r in rows}

    async def compiled_ids() -> set[int]:
        return set(await members.ids())

    count_c, count_h, n_c, n_h = await timed_pair(members.count, hand_count, runs)
    ids_c, ids_h, set_c, set_h = await timed_pair(compiled_ids, hand_ids, runs)
    if not (n_c == n_h == len(set_c)) or set_c != set_h:
        raise SystemExit(f"{case.name}: compiled and hand-written disagree ({n_c} vs {n_h})")
    return Measure(case.name, n_c, count_c, count_h, ids_c, ids_h)


@dataclass(frozen=True)
class Prepared:
    customers: int
    seeded_seconds: float
    rfm_cold: float
    rfm_nightly: float
    lifecycle_nightly: float


async def prepare(url: str, customers: int) -> Prepared:
    await migrate(url)
    await close_database()
    await open_database(url)
    conn = connections.get("default")
    have = (await conn.execute_query_dict('SELECT COUNT(*) AS n FROM "customer"'))[0]["n"]
    seeded = 0.0
    if have < customers:
        started = time.perf_counter()
        await seed(customers - have)
        seeded = time.perf_counter() - started
    await conn.execute_script(ANALYZE)
    await recompute_lifecycle()
    await conn.execute_script('TRUNCATE "rfm_score"')
    await conn.execute_script(ANALYZE)
    cold = await recompute_rfm()
    await conn.execute_script(ANALYZE)
    nightly = await recompute_rfm()
    started = time.perf_counter()
    await recompute_lifecycle()
    lifecycle = time.perf_counter() - started
    # Measure a settled database: visibility map set again after the runs above, and their
    # writes flushed now rather than by the checkpointer during the measurements.
    await conn.execute_script(ANALYZE)
    await conn.execute_script("CHECKPOINT")
    print(
        f"RFM recompute: cold {cold.seconds:.2f} s ({cold.changed:,} scores written), "
        f"nightly {nightly.seconds:.2f} s ({nightly.changed} changed); "
        f"lifecycle nightly {lifecycle:.2f} s"
    )
    return Prepared(max(have, customers), seeded, cold.seconds, nightly.seconds, lifecycle)


def table(results: list[Measure]) -> str:
    lines = [
        "| case | customers | count compiled | count hand | ratio "
        "| ids compiled | ids hand | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        lines.append(
            f"| {m.case} | {m.rows:,} | {m.count_compiled:.1f} ms | {m.count_hand:.1f} ms | "
            f"{m.count_compiled / m.count_hand:.2f} | {m.ids_compiled:.1f} ms | "
            f"{m.ids_hand:.1f} ms | {m.ids_compiled / m.ids_hand:.2f} |"
        )
    return "\n".join(lines)


NOTES = """
Targets (issue 4): every count <= 100 ms and compiled / hand-written <= 1.5; RFM < 10 s.
{verdict} The machine is shared (load average {load} on 2 cores during the run,
shared_buffers 128 MB for a 360 MB customer table); under a neighbour's load the same counts
take up to 2x longer ((b) 118 ms at load average 1.7). Compiled and hand-written samples are
taken in turns, each with Python's garbage collector paused (collected before it), after a
CHECKPOINT, so that drift, a collection of the previous run's rows or the checkpointer's
flush does not land on one side only (before that, single ratios swung to 1.4-1.7).

Counts and ids go through `rule_members` (crm/segments/members.py), the same set as the
customer query of crm/segments/compiler.py (tests/crm/test_segments.py checks both on every
rule) but cheaper where the rule allows: (c) "has tag and not opted out" reads the tag's
members from customer_tag (tag_id, customer_id) minus the few customers who may not be counted
(opted out or merged away: a partial index, migration 0004), instead of one probe of customer
per member (50,000 probes: 116-138 ms before); (e) an `any` whose branches need other tables
is a UNION of the branches' ids, each through its own index and each already limited to live
customers, so no probe per matching id follows, and its count is COUNT(DISTINCT) over UNION
ALL, which sorts the ids instead of hashing them (243 ms before the rewrite; 75-125 ms with
a plain UNION, whose hashing of 71,000 ids cost about 35 ms). Preview and row iteration
still read customer rows (crm.segments.preview, iter_customers). The hand-written SQL is the
best we found for each set: for (c) NOT EXISTS (a merge anti-join), for (e) the UNION (its
count: COUNT(DISTINCT) over UNION ALL).

Indexes that carry these numbers: customer (birthday_calendar, birthday_md) for birthdays
(stored month*100+day, solar or lunar), (lifecycle_stage, total_spent, merged_into_id) and
(id, opted_out, merged_into_id) from migration 0002, (points_balance, last_active_at,
merged_into_id, opted_out, lifecycle_stage, id) and (city, id, merged_into_id) from migration
0003, the uncontactable partial index from 0004, customer_tag (tag_id, customer_id). RFM scores
live in the narrow rfm_score table without a foreign key (a foreign-key check per row made the
first run take 17 s longer). "ids" = fetching every matching id to the client, dominated by
transfer. Seeding 1,000,000 customers (1.8 M orders, 1.4 M messages, 0.6 M tags, 0.65 M points
entries) with `siyu seed` took about 4 minutes on this VM (7 minutes under load average 4 on
an earlier one). The nightly lifecycle run tags at_risk customers with ON CONFLICT DO NOTHING:
the former NOT EXISTS form was planned, right after the stage UPDATE in the same
transaction, as if almost nobody were at_risk and ran for minutes on a freshly seeded
database."""


def verdict(results: list[Measure]) -> str:
    worst = max(max(m.count_compiled / m.count_hand, m.ids_compiled / m.ids_hand) for m in results)
    slow = [m.case.split()[0] for m in results if m.count_compiled > 100]
    ratio = f"The worst compiled / hand-written ratio is {worst:.2f}."
    if not slow:
        return ratio + " Every count is under 100 ms."
    return ratio + f" Counts over 100 ms: ({'), ('.join(slow)})."


def write_readme(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find("## segments")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        rest = text[end + 1 :] if end != -1 else ""
        text = text[:start] + section.rstrip("\n") + ("\n\n" + rest if rest else "\n")
    path.write_text(text, encoding="utf-8")


async def main(args: argparse.Namespace) -> None:
    prep = await prepare(args.url, args.customers)
    now = datetime.now(UTC)
    results = [await measure(case, now, args.runs) for case in CASES]
    await close_database()
    report = table(results)
    print(report)
    if args.readme:
        section = (
            "## segments\n\n"
            f"`.venv/bin/python bench/segments.py` on PostgreSQL with {prep.customers:,} customers "
            f"(crm.seed), median of {args.runs} runs after a warm-up, compiled and hand-written in turns, {now:%Y-%m-%d}. "
            "Compiled = the rule through crm.segments (Tortoise); hand = hand-written SQL for "
            "the same set (checked equal).\n\n"
            f"{report}\n\nRFM recompute over all customers: {prep.rfm_cold:.2f} s from scratch "
            f"(every score written), {prep.rfm_nightly:.2f} s for a nightly re-run; lifecycle "
            f"nightly re-run {prep.lifecycle_nightly:.2f} s."
            + (f" Seeding took {prep.seeded_seconds:.0f} s.\n" if prep.seeded_seconds else "\n")
            + NOTES.format(load=f"{os.getloadavg()[0]:.1f}", verdict=verdict(results))
        )
        write_readme(Path(args.readme), section)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/siyu_bench")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", default=None)
    asyncio.run(main(parser.parse_args()))
