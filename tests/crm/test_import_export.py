from __future__ import annotations

import asyncio
import csv
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.exporting import export_customers
from crm.importing import import_customers, import_orders
from crm.models import BirthdayCalendar, Customer, CustomerTag, Order
from crm.points import earn
from crm.segments import create_segment
from tests.crm.conftest import NOW

CUSTOMERS = """openid,phone,name,gender,birthday,city,subscribed,tags,attr_level
o1,138 0013 8000,王小明,男,1990-08-15,上海,是,vip|母婴,gold
o2,12345,李四,女,,北京,1,,
,,无名,,,,,,
o3,+86 139 0000 0001,赵六,female,农历1988-08-15,杭州,0,vip,silver
o4,,钱七,x,1990-02-30,,maybe,,
"""
ORDERS = """external_id,openid,phone,amount,paid_at,items
A1,o1,,199.00,2026-11-01 10:00:00,面霜
A2,,13900000001,50.5,2026-11-02T10:00:00+08:00,口红
A3,nobody,,10,2026-11-02 10:00:00,
A4,o1,,-5,2026-11-02 10:00:00,
A1,o1,,199.00,2026-11-01 10:00:00,面霜
"""


def write(path: Path, text: str, bom: bool = True) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def read_errors(path: Path) -> list[tuple[int, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return [(int(r["line"]), r["field"]) for r in csv.DictReader(handle)]


async def test_import_customers_reports_bad_rows_and_is_idempotent(
    database_url: str, tmp_path: Path
) -> None:
    source = write(tmp_path / "customers.csv", CUSTOMERS)
    report = await import_customers(source, tmp_path / "errors.csv", batch_size=2, actor=SYSTEM)
    assert (report.rows, report.created, report.errors) == (5, 2, 5)
    errors = read_errors(tmp_path / "errors.csv")
    assert (3, "phone") in errors and (4, "row") in errors
    assert {line for line, _ in errors} == {3, 4, 6}
    wang = await Customer.get(openid="o1")
    assert wang.phone == "+8613800138000" and wang.display_name == "王小明"
    assert wang.birthday_md == 815 and wang.attributes == {"level": "gold"}
    zhao = await Customer.get(openid="o3")
    assert zhao.birthday_calendar == BirthdayCalendar.LUNAR and not zhao.subscribed
    assert await CustomerTag.filter(customer_id=wang.id).count() == 2

    again = await import_customers(source, tmp_path / "errors2.csv", batch_size=2, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert await Customer.all().count() == 2
    assert await CustomerTag.all().count() == 3

    update = write(tmp_path / "u.csv", "phone,city\n13800138000,深圳\n", bom=False)
    changed = await import_customers(update, None, actor=SYSTEM)
    assert changed.updated == 1
    assert (await Customer.get(openid="o1")).city == "深圳"


async def test_import_orders(database_url: str, tmp_path: Path) -> None:
    await import_customers(write(tmp_path / "c.csv", CUSTOMERS), None, actor=SYSTEM)
    source = write(tmp_path / "orders.csv", ORDERS)
    report = await import_orders(source, tmp_path / "errors.csv", actor=SYSTEM)
    assert (report.rows, report.created, report.unchanged, report.errors) == (5, 2, 1, 2)
    assert read_errors(tmp_path / "errors.csv") == [(5, "amount"), (4, "customer")]
    wang = await Customer.get(openid="o1")
    assert wang.order_count == 1 and wang.total_spent == Decimal("199")
    order = await Order.get(external_id="A1")
    assert order.paid_at.isoformat() == "2026-11-01T02:00:00+00:00"  # Shanghai local time
    again = await import_orders(source, None, actor=SYSTEM)
    assert (again.created, again.unchanged) == (0, 3)
    assert await Order.all().count() == 2


async def test_export_a_segment_masked(database_url: str, tmp_path: Path) -> None:
    await import_customers(write(tmp_path / "c.csv", CUSTOMERS), None, actor=SYSTEM)
    segment = await create_segment("vip", {"field": "tag", "value": "vip"}, actor=SYSTEM)
    out = tmp_path / "out.csv"
    assert await export_customers(out, segment.id, batch_size=1) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["phone"] for r in rows] == ["138****8000", "139****0001"]
    assert rows[0]["display_name"] == "王**" and rows[0]["tags"] == "vip|母婴"
    assert rows[1]["birthday"] == "农历1988-08-15"  # as imported, so the file round-trips
    full = tmp_path / "full.csv"
    await export_customers(full, segment.id, masked=False)
    assert "+8613800138000" in full.read_text(encoding="utf-8-sig")


async def test_export_shows_the_points_valid_now(database_url: str, tmp_path: Path) -> None:
    customer = await Customer.create(openid="o-points")
    long_ago = FrozenClock(NOW - timedelta(days=400))
    await earn(customer.id, 100, "old", clock=long_ago, actor=SYSTEM)  # expired, not yet swept
    await earn(customer.id, 30, "new", clock=FrozenClock(NOW), actor=SYSTEM)
    out = tmp_path / "out.csv"
    assert await export_customers(out, clock=FrozenClock(NOW)) == 1
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["points_balance"] == "30"


async def siyu(*args: str, url: str) -> tuple[int, str]:
    env = {**os.environ, "SIYU_DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_cli_import_export_and_seed(database_url: str, tmp_path: Path) -> None:
    source = write(tmp_path / "customers.csv", CUSTOMERS)
    code, out = await siyu("import", "customers", str(source), url=database_url)
    assert code == 3, out
    assert "出错 5" in out and (tmp_path / "customers.csv.errors.csv").is_file()
    code, out = await siyu("seed", "--customers", "50", url=database_url)
    assert code == 0, out
    assert await Customer.all().count() == 52
    assert await Customer.exclude(lifecycle_stage="prospect").exists()  # seed also scores
    segment = await create_segment("上海", {"field": "city", "value": "上海"}, actor=SYSTEM)
    target = tmp_path / "sh.csv"
    code, out = await siyu(
        "export", "customers", "--segment", str(segment.id), "-o", str(target), url=database_url
    )
    assert code == 0, out
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 == await Customer.filter(city="上海").count()
    code, out = await siyu("export", "customers", "--segment", "999", "-o", str(target),
                           url=database_url)  # fmt: skip
    assert code == 2 and "分群 999 不存在" in out
    code, out = await siyu("import", "orders", str(tmp_path / "missing.csv"), url=database_url)
    assert code == 2 and "找不到文件" in out


async def test_import_memory_does_not_grow_with_the_file(database_url: str, tmp_path: Path) -> None:
    import tracemalloc

    async def peak(rows: int, start: int) -> int:
        path = tmp_path / f"big{rows}.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write("openid,name,city,tags\n")
            for i in range(start, start + rows):
                handle.write(f"big{i},客户{i},上海,vip\n")
        tracemalloc.start()
        report = await import_customers(path, None, batch_size=200, actor=SYSTEM)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.created == rows
        return top

    small = await peak(600, 0)
    large = await peak(2400, 10_000)
    assert large < small * 1.5, (small, large)


async def test_an_identity_held_by_a_merged_record_is_reported_not_fatal(
    database_url: str, tmp_path: Path
) -> None:
    survivor = await Customer.create(openid="keep")
    await Customer.create(openid="taken", merged_into=survivor)
    source = write(tmp_path / "c.csv", "openid,city\ntaken,上海\nnew1,北京\n")
    report = await import_customers(source, tmp_path / "e.csv", actor=SYSTEM)
    assert (report.created, report.errors) == (1, 1)
    assert read_errors(tmp_path / "e.csv") == [(2, "openid")]
