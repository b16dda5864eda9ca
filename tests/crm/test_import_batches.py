"""The batched importers (one multi-row statement per batch) keep the per-row semantics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from crm.actors import SYSTEM
from crm.importing import import_customers, import_orders
from crm.merge import merge_customers
from crm.models import Customer, CustomerTag, Order
from tests.crm.conftest import MakeCustomer


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def _tags(customer_id: int) -> set[str]:
    return set(
        await CustomerTag.filter(customer_id=customer_id).values_list("tag__name", flat=True)
    )


async def test_updates_merge_into_what_is_stored(
    make_customer: MakeCustomer, tmp_path: Path
) -> None:
    c = await make_customer(openid="o1", city="上海", display_name="王", attributes={"a": "1"},
                            tags=("vip",))  # fmt: skip
    source = write(tmp_path / "u.csv",
                   "openid,name,birthday,tags,attr_b,subscribed\n"
                   "o1,,1990-08-15,母婴,2,是\n"
                   "o1,王小明,,新客,,\n")  # fmt: skip
    report = await import_customers(source, None, actor=SYSTEM)
    assert (report.updated, report.created, report.errors) == (2, 0, 0)
    stored = await Customer.get(id=c.id)
    assert stored.city == "上海" and stored.display_name == "王小明" and stored.subscribed
    assert stored.birthday == date(1990, 8, 15) and stored.birthday_md == 815
    assert stored.attributes == {"a": "1", "b": "2"}
    assert await _tags(c.id) == {"vip", "母婴", "新客"}
    again = await import_customers(source, None, actor=SYSTEM)
    assert (again.updated, again.unchanged) == (0, 2)


async def test_an_identity_held_by_a_merged_record_is_reported(
    make_customer: MakeCustomer, tmp_path: Path
) -> None:
    a = await make_customer(openid="oa", phone="+8613800000001")
    b = await make_customer(openid="ob", phone="+8613800000001")
    await merge_customers(a.id, b.id, "phone", actor=SYSTEM)  # b keeps its openid, merged away
    source = write(tmp_path / "c.csv", "openid,name\nob,李\noc,赵\n")
    report = await import_customers(source, None, batch_size=10, actor=SYSTEM)
    assert (report.created, report.errors) == (1, 1)
    assert (report.first_errors[0].line, report.first_errors[0].field) == (2, "openid")


async def test_orders_follow_a_merge_and_count_in_batch_duplicates_once(
    make_customer: MakeCustomer, tmp_path: Path
) -> None:
    a = await make_customer(unionid="u1")
    b = await make_customer(unionid="u1")
    await merge_customers(a.id, b.id, "unionid", actor=SYSTEM)
    source = write(tmp_path / "o.csv",
                   "external_id,customer_id,unionid,amount,paid_at\n"
                   f"X1,{b.id},,10,2026-11-01 10:00:00\n"
                   "X2,,u1,20,2026-10-01 10:00:00\n"
                   "X2,,u1,20,2026-10-01 10:00:00\n")  # fmt: skip
    report = await import_orders(source, None, batch_size=10, actor=SYSTEM)
    assert (report.created, report.unchanged, report.errors) == (2, 1, 0)
    assert await Order.filter(customer_id=a.id).count() == 2
    survivor = await Customer.get(id=a.id)
    assert survivor.total_spent == Decimal("30") and survivor.order_count == 2
    assert survivor.first_order_at is not None and survivor.first_order_at.month == 10
    assert survivor.last_order_at is not None and survivor.last_order_at.month == 11


def test_placeholders_are_numbered_past_ten_thousand() -> None:
    from crm.sql import render

    sql = render(", ".join(["?"] * 12_000), "postgres")
    assert sql.startswith("$1, $2, ") and sql.endswith("$11999, $12000")
