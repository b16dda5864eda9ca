"""Import benchmark on PostgreSQL: `siyu import customers|orders` on generated CSV files.

    .venv/bin/python bench/import.py [--url postgres://postgres@127.0.0.1:5432/siyu_import]
        [--rows 100000] [--dir /tmp/siyu-import-bench]

One run. Creates the database if it is missing (default: a scratch database, siyu_import),
migrates it and empties the customer tables, writes a customers CSV and an orders CSV of
--rows rows each (UTF-8 with BOM, as Excel writes; about 1% bad rows), then times, through
crm.importing as the CLI calls it: customers fresh, customers again (idempotent re-run),
orders fresh, orders again. Prints rows/s and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from crm import currency
from crm.actors import Actor
from crm.config import CurrencySettings
from crm.database import close_database, migrate, open_database
from crm.importing import ImportReport, import_customers, import_orders
from crm.sql import execute

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/siyu_import"
BENCH = Actor.system("bench")
TABLES = '"customer_tag", "orders", "points_entry", "interaction", "customer_merge", "customer"'
CITIES = ["上海", "北京", "杭州", "深圳", "广州", "成都", "南京", "武汉"]
TAGS = ["vip", "母婴", "美妆", "新客", "老客", "复购"]
ITEMS = ["面霜", "口红", "精华", "洗面奶", "面膜", "香水"]


def customer_line(i: int, rnd: random.Random) -> str:
    if rnd.random() < 0.01:
        return f"o{i},u{i},12345,坏号码,男,,上海,是,,"  # a bad phone: reported, not imported
    phone = f"139{i:08d}" if rnd.random() < 0.7 else ""
    birthday = f"{rnd.randint(1970, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    tags = "|".join(rnd.sample(TAGS, rnd.randint(0, 2)))
    return (
        f"o{i},u{i},{phone},客户{i},{rnd.choice('男女')},{birthday if rnd.random() < 0.5 else ''},"
        f"{rnd.choice(CITIES)},{rnd.choice(['是', '否'])},{tags},{rnd.choice(['gold', 'silver'])}"
    )


def order_line(i: int, customers: int, rnd: random.Random, start: datetime) -> str:
    who = rnd.randrange(customers)
    paid = start + timedelta(seconds=rnd.randrange(730 * 86400))
    currency_code = "USD" if rnd.random() < 0.05 else "CNY"
    if rnd.random() < 0.005:
        currency_code = "XYZ"  # no rate configured: a per-row error
    amount = Decimal(rnd.randrange(1000, 200000)) / 100
    return (
        f"E{i},o{who},{amount},{currency_code},{paid:%Y-%m-%d %H:%M:%S},"
        f"{rnd.choice(ITEMS)},{rnd.choice(['shop', 'mini', 'store'])}"
    )


def write_files(directory: Path, rows: int) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(7)
    customers, orders = directory / "customers.csv", directory / "orders.csv"
    with customers.open("w", encoding="utf-8-sig") as out:
        out.write("openid,unionid,phone,name,gender,birthday,city,subscribed,tags,attr_level\n")
        out.writelines(customer_line(i, rnd) + "\n" for i in range(rows))
    start = datetime(2024, 11, 1, tzinfo=UTC)
    with orders.open("w", encoding="utf-8-sig") as out:
        out.write("external_id,openid,amount,currency,paid_at,items,channel\n")
        out.writelines(order_line(i, rows, rnd, start) + "\n" for i in range(rows))
    return customers, orders


async def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def timed(label: str, rows: int, run: Callable[[], Awaitable[ImportReport]]) -> ImportReport:
    began = time.perf_counter()
    report = await run()
    seconds = time.perf_counter() - began
    print(
        f"{label:<22} {rows:>9,} rows {seconds:8.1f} s {rows / seconds:>9,.0f} rows/s   "
        f"created {report.created:,} updated {report.updated:,} "
        f"unchanged {report.unchanged:,} errors {report.errors:,}",
        flush=True,
    )
    return report


async def main(url: str, rows: int, directory: Path, batch_size: int) -> None:
    await ensure_database(url)
    await migrate(url)
    await close_database()
    customers, orders = write_files(directory, rows)
    currency.configure(CurrencySettings(base="CNY", rates={"USD": Decimal("7.1")}))
    await open_database(url)
    try:
        await execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        errors = directory / "errors.csv"
        for label, path, run in (
            ("customers (fresh)", customers, import_customers),
            ("customers (re-run)", customers, import_customers),
            ("orders (fresh)", orders, import_orders),
            ("orders (re-run)", orders, import_orders),
        ):
            await timed(label, rows, lambda p=path, r=run: r(p, errors, batch_size, actor=BENCH))  # type: ignore[misc]
    finally:
        await close_database()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) {peak:,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/siyu-import-bench"))
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.rows, args.dir, args.batch_size))
