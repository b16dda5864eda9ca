from __future__ import annotations

import asyncio
import sys
from decimal import Decimal
from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.errors import Conflict
from crm.merge import find_duplicates, merge_customers, merge_duplicates
from crm.models import (
    Customer,
    CustomerMerge,
    CustomerTag,
    Interaction,
    Order,
    PointsEntry,
    Segment,
    SegmentKind,
)
from crm.orders import OrderInput, record_order
from crm.points import adjust, earn, ledger_balance, redeem
from crm.segments import create_segment, segment_queryset
from tests.crm.conftest import NOW, MakeCustomer


async def test_duplicates_by_unionid_and_phone_are_merged_into_the_oldest(
    make_customer: MakeCustomer,
) -> None:
    old = await make_customer(unionid="u1", tags=("vip",), city="上海", points_balance=0)
    dup = await make_customer(unionid="u1", external_userid="wm1", phone="+8613800000001",
                              tags=("vip", "母婴"), display_name="李雷")  # fmt: skip
    by_phone = await make_customer(phone="+8613800000001", openid=None, external_userid="wm2")
    await earn(old.id, 10, "p:old", clock=FrozenClock(NOW), actor=SYSTEM)
    await earn(dup.id, 30, "p:dup", clock=FrozenClock(NOW), actor=SYSTEM)
    await Interaction.create(customer=dup, channel="wecom", direction="in", kind="text")
    await record_order(OrderInput(external_id="O1", customer_id=dup.id, amount=Decimal("88"),
                                  paid_at=NOW), actor=SYSTEM)  # fmt: skip
    await create_segment(
        "快照", {"field": "tag", "value": "母婴"}, kind=SegmentKind.STATIC, actor=SYSTEM
    )

    pairs = await find_duplicates()
    assert [(p.survivor_id, p.duplicate_id, p.reason) for p in pairs] == [
        (old.id, dup.id, "unionid"), (dup.id, by_phone.id, "phone")
    ]  # fmt: skip
    assert await merge_duplicates(actor=SYSTEM) == 2

    survivor = await Customer.get(id=old.id)
    assert survivor.external_userid == "wm1" and survivor.phone == "+8613800000001"
    assert survivor.display_name == "李雷" and survivor.city == "上海"
    assert survivor.points_balance == 40 == await ledger_balance(old.id)
    assert survivor.order_count == 1 and survivor.total_spent == Decimal("88")
    assert await Interaction.filter(customer_id=old.id).count() == 1
    assert await Order.filter(customer_id=old.id).count() == 1
    assert await PointsEntry.filter(customer_id=dup.id).count() == 0
    tags = await CustomerTag.filter(customer_id=old.id).values_list("tag__name", flat=True)
    assert set(tags) == {"vip", "母婴"}
    gone = await Customer.get(id=dup.id)
    assert gone.merged_into_id == old.id and gone.external_userid is None  # type: ignore[attr-defined]
    assert (await Customer.get(id=by_phone.id)).merged_into_id == old.id  # type: ignore[attr-defined]
    segment_members = await segment_queryset(await _segment()).values_list("id", flat=True)
    assert list(segment_members) == [old.id]

    record = await CustomerMerge.get(merged_id=dup.id)
    assert record.reason == "unionid"
    assert record.snapshot["merged"]["external_userid"] == "wm1"
    assert record.snapshot["moved"]["orders"] and record.snapshot["moved"]["interactions"]
    assert await find_duplicates() == []


async def _segment() -> Segment:
    return await Segment.get(name="快照")


async def test_a_merged_record_cannot_be_merged_again(make_customer: MakeCustomer) -> None:
    a = await make_customer()
    b = await make_customer()
    await merge_customers(a.id, b.id, "staff", actor=SYSTEM)
    with pytest.raises(Conflict):
        await merge_customers(a.id, b.id, "staff", actor=SYSTEM)


async def test_orders_and_points_for_a_merged_away_id_land_on_the_survivor(
    make_customer: MakeCustomer,
) -> None:
    a, b, c = await make_customer(), await make_customer(), await make_customer()
    await record_order(OrderInput(external_id="O1", customer_id=b.id, amount=Decimal("10"),
                                  paid_at=NOW), actor=SYSTEM)  # fmt: skip
    await merge_customers(a.id, b.id, "staff", actor=SYSTEM)
    await merge_customers(c.id, a.id, "staff", actor=SYSTEM)  # b -> a -> c
    clock = FrozenClock(NOW)

    order, created = await record_order(
        OrderInput(external_id="O2", customer_id=b.id, amount=Decimal("20"), paid_at=NOW),
        actor=SYSTEM,
    )
    again, _ = await record_order(
        OrderInput(external_id="O1", customer_id=b.id, amount=Decimal("10"), paid_at=NOW),
        actor=SYSTEM,
    )  # the shop resending an order from before the merge is the same order, not a conflict
    await earn(b.id, 50, "p:b", clock=clock, actor=SYSTEM)
    await redeem(a.id, 20, "r:a", clock=clock, actor=SYSTEM)
    await adjust(b.id, 5, "a:b", clock=clock, actor=SYSTEM)
    await earn(b.id, 50, "p:b", clock=clock, actor=SYSTEM)  # idempotent under the old id too

    assert created and order.customer_id == c.id == again.customer_id  # type: ignore[attr-defined]
    survivor = await Customer.get(id=c.id)
    assert (survivor.order_count, survivor.total_spent) == (2, Decimal("30"))
    assert survivor.points_balance == 35 == await ledger_balance(c.id)
    for gone in (a.id, b.id):
        assert not await PointsEntry.filter(customer_id=gone).exists()
        assert not await Order.filter(customer_id=gone).exists()


async def _order(customer_id: int) -> int:
    order, _ = await record_order(OrderInput(external_id="race", customer_id=customer_id,
                                             amount=Decimal("10"), paid_at=NOW), actor=SYSTEM)  # fmt: skip
    return order.customer_id  # type: ignore[attr-defined,no-any-return]


async def _points(customer_id: int) -> int:
    entry = await earn(customer_id, 30, "race", clock=FrozenClock(NOW), actor=SYSTEM)
    return entry.customer_id  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("write", [_order, _points], ids=["order", "points"])
async def test_a_write_racing_a_merge_in_another_process_lands_on_the_survivor(
    database_url: str, make_customer: MakeCustomer, write: Any
) -> None:
    """The write looks the survivor up before the merge commits and writes after it."""
    a, b = await make_customer(), await make_customer()
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.crm.held_merge", database_url, str(a.id), str(b.id),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert other.stdout is not None and other.stdin is not None
    try:
        assert await asyncio.wait_for(other.stdout.readline(), 30) == b"merged\n"
        racing = asyncio.create_task(write(b.id))
        await asyncio.sleep(0.5)  # the write waits for the merge's lock
        assert not racing.done()
        other.stdin.write(b"commit\n")
        assert await asyncio.wait_for(racing, 10) == a.id
    finally:
        other.stdin.close()
        assert await asyncio.wait_for(other.wait(), 10) == 0
    survivor = await Customer.get(id=a.id)
    assert await ledger_balance(b.id) == 0 and await Order.filter(customer_id=b.id).count() == 0
    assert (survivor.order_count, survivor.points_balance) in ((1, 0), (0, 30))
