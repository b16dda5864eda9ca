from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.database import close_database, migrate
from crm.errors import AlreadyUnmerged, Conflict, NotFound
from crm.merge import list_merges, merge_customers, merge_duplicates, unmerge
from crm.models import (
    Customer,
    CustomerMerge,
    CustomerTag,
    Interaction,
    Order,
    PointsEntry,
    SegmentKind,
    SegmentMember,
)
from crm.orders import OrderInput, record_order
from crm.points import adjust, earn, ledger_balance, redeem
from crm.segments import create_segment
from tests.crm.conftest import NOW, MakeCustomer


async def _pair(make_customer: MakeCustomer) -> tuple[Customer, Customer]:
    old = await make_customer(unionid="u1", tags=("vip",), city="上海", attributes={"a": "1"})
    dup = await make_customer(unionid="u1", external_userid="wm1", phone="+8613800000001",
                              tags=("vip", "母婴"), display_name="李雷", subscribed=True,
                              attributes={"a": "2", "b": "3"})  # fmt: skip
    await earn(old.id, 10, "p:old", clock=FrozenClock(NOW), actor=SYSTEM)
    await earn(dup.id, 30, "p:dup", clock=FrozenClock(NOW), actor=SYSTEM)
    await Interaction.create(customer=dup, channel="wecom", direction="in", kind="text")
    await record_order(OrderInput(external_id="O1", customer_id=dup.id, amount=Decimal("88"),
                                  paid_at=NOW), actor=SYSTEM)  # fmt: skip
    return old, dup


async def _tags(customer_id: int) -> set[str]:
    return set(
        await CustomerTag.filter(customer_id=customer_id).values_list("tag__name", flat=True)
    )


async def test_unmerge_restores_the_merged_customer_and_its_rows(
    make_customer: MakeCustomer,
) -> None:
    old, dup = await _pair(make_customer)
    await create_segment(
        "快照", {"field": "tag", "value": "vip"}, kind=SegmentKind.STATIC, actor=SYSTEM
    )
    record = await merge_customers(old.id, dup.id, "unionid", actor=SYSTEM)
    await Interaction.create(customer_id=old.id, channel="oa", direction="in", kind="text")

    result = await unmerge(record.id, by="boss", actor=SYSTEM)

    assert (result.survivor_id, result.restored_id) == (old.id, dup.id)
    assert result.moved_back["orders"] == 1 and result.moved_back["interactions"] == 1
    survivor, restored = await Customer.get(id=old.id), await Customer.get(id=dup.id)
    assert restored.merged_into_id is None and restored.external_userid == "wm1"  # type: ignore[attr-defined]
    assert survivor.external_userid is None and survivor.phone is None
    assert survivor.display_name is None and survivor.city == "上海" and not survivor.subscribed
    assert survivor.attributes == {"a": "1"} and restored.attributes == {"a": "2", "b": "3"}
    assert (survivor.points_balance, restored.points_balance) == (10, 30)
    assert await ledger_balance(old.id) == 10 and await ledger_balance(dup.id) == 30
    assert (restored.order_count, restored.total_spent) == (1, Decimal("88"))
    assert (survivor.order_count, survivor.total_spent) == (0, Decimal("0"))
    assert await Order.filter(customer_id=dup.id).count() == 1
    assert await Interaction.filter(customer_id=old.id).count() == 1  # the one after the merge
    assert await _tags(old.id) == {"vip"} and await _tags(dup.id) == {"vip", "母婴"}
    assert await SegmentMember.filter(customer_id=dup.id).count() == 1
    stored = await CustomerMerge.get(id=record.id)
    assert stored.snapshot["unmerged"]["by"] == "boss"
    assert (await list_merges(dup.id))[0].unmerged_at is not None


async def test_a_merge_is_undone_once(make_customer: MakeCustomer) -> None:
    old, dup = await _pair(make_customer)
    record = await merge_customers(old.id, dup.id, "unionid", actor=SYSTEM)
    await unmerge(record.id, actor=SYSTEM)
    with pytest.raises(AlreadyUnmerged, match="不能重复撤销"):
        await unmerge(record.id, actor=SYSTEM)
    with pytest.raises(NotFound, match="siyu merges"):
        await unmerge(record.id + 1000, actor=SYSTEM)


async def test_an_unmerged_pair_is_not_merged_again_by_duplicate_detection(
    make_customer: MakeCustomer,
) -> None:
    a = await make_customer(phone="+8613800000009")
    b = await make_customer(phone="+8613800000009")
    assert await merge_duplicates(actor=SYSTEM) == 1
    record = await CustomerMerge.get(merged_id=b.id)
    await unmerge(record.id, actor=SYSTEM)

    c = await make_customer(phone="+8613800000009")
    assert await merge_duplicates(actor=SYSTEM) == 1  # c still joins a; b stays apart
    assert (await Customer.get(id=c.id)).merged_into_id == a.id  # type: ignore[attr-defined]
    assert (await Customer.get(id=b.id)).merged_into_id is None  # type: ignore[attr-defined]
    assert await merge_duplicates(actor=SYSTEM) == 0

    await merge_customers(a.id, b.id, "staff", actor=SYSTEM)  # staff may still merge by hand
    assert (await Customer.get(id=b.id)).merged_into_id == a.id  # type: ignore[attr-defined]


async def test_fields_changed_after_the_merge_stay(make_customer: MakeCustomer) -> None:
    old, dup = await _pair(make_customer)
    record = await merge_customers(old.id, dup.id, "unionid", actor=SYSTEM)
    await Customer.filter(id=old.id).update(display_name="韩梅梅")
    result = await unmerge(record.id, actor=SYSTEM)
    assert result.kept_on_survivor == ("display_name",)
    assert (await Customer.get(id=old.id)).display_name == "韩梅梅"


async def test_points_spent_across_the_merge_must_be_settled_first(
    make_customer: MakeCustomer,
) -> None:
    old, dup = await _pair(make_customer)
    record = await merge_customers(old.id, dup.id, "unionid", actor=SYSTEM)
    await redeem(old.id, 35, "r:1", clock=FrozenClock(NOW), actor=SYSTEM)
    with pytest.raises(Conflict, match="积分调整"):
        await unmerge(record.id, actor=SYSTEM)
    assert (await Customer.get(id=dup.id)).merged_into_id == old.id  # type: ignore[attr-defined]

    await adjust(old.id, 25, "a:1", clock=FrozenClock(NOW), actor=SYSTEM)
    await unmerge(record.id, actor=SYSTEM)
    for customer_id, balance in ((old.id, 0), (dup.id, 30)):
        remaining = await PointsEntry.filter(customer_id=customer_id).values_list(
            "remaining", flat=True
        )
        assert sum(remaining) == balance == (await Customer.get(id=customer_id)).points_balance  # type: ignore[arg-type]


async def test_a_chain_is_undone_from_the_latest_merge(make_customer: MakeCustomer) -> None:
    a, b, c = await make_customer(), await make_customer(), await make_customer()
    first = await merge_customers(a.id, b.id, "staff", actor=SYSTEM)
    second = await merge_customers(c.id, a.id, "staff", actor=SYSTEM)
    with pytest.raises(Conflict, match=f"合并记录 {second.id}"):
        await unmerge(first.id, actor=SYSTEM)
    await unmerge(second.id, actor=SYSTEM)
    await unmerge(first.id, actor=SYSTEM)
    assert not await Customer.filter(merged_into_id__isnull=False).exists()


def test_cli_lists_and_unmerges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("SIYU_DATABASE_URL", url)

    async def prepare() -> int:
        await migrate(url)
        a = await Customer.create(openid="o-a")
        b = await Customer.create(openid="o-b", phone="+8613800000009")
        record = await merge_customers(a.id, b.id, "phone", actor=SYSTEM)
        await close_database()
        return record.id

    merge_id = asyncio.run(prepare())
    runner = CliRunner()
    listed = runner.invoke(app, ["merges"])
    assert listed.exit_code == 0 and f"合并记录 {merge_id}" in listed.output
    done = runner.invoke(app, ["unmerge", str(merge_id), "--by", "boss"])
    assert done.exit_code == 0, done.output
    assert "已撤销合并记录" in done.output
    again = runner.invoke(app, ["unmerge", str(merge_id)])
    assert again.exit_code == 2 and "不能重复撤销" in again.output
    missing = runner.invoke(app, ["unmerge", "999"])
    assert missing.exit_code == 2 and "siyu merges" in missing.output
