"""Undoing a merge (`crm.merge.unmerge`): the merged-away record lives again with its
identifiers and the rows the merge moved (interactions, points entries, orders, complaints,
tags, static segment memberships); the survivor gives back the fields it only had from the
other record. Rows and changes added to the survivor after the merge stay with it. Points,
total spent and order counts are recomputed on both. The undo is written into the merge
record's snapshot, so it happens once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm import customers as customer_service
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import AlreadyUnmerged, Conflict, NotFound
from crm.merge import FILLABLE, MOVED, UNIQUE, jsonable
from crm.models import (
    Customer,
    CustomerMerge,
    CustomerTag,
    PointsEntry,
    Segment,
    SegmentMember,
    Tag,
    TagSource,
)
from crm.orders import refresh_order_stats
from crm.transactions import transaction

_RESTORABLE = (*FILLABLE, "gender", "subscribed", "opted_out", "last_active_at")
_CHUNK = 500


@dataclass(frozen=True)
class UnmergeResult:
    merge_id: int
    survivor_id: int
    restored_id: int
    moved_back: dict[str, int]
    kept_on_survivor: tuple[str, ...]  # fields changed since the merge, left as they are


async def undo_merge(
    merge_id: int,
    by: str | None = None,
    *,
    actor: Actor,
    clock: Clock = SYSTEM_CLOCK,
    conn: BaseDBAsyncClient | None = None,
) -> UnmergeResult:
    """`by` is the name the operator gives (`siyu unmerge --by`); the actor is kept beside it."""
    async with transaction(conn) as tx:
        record = await _lock_record(tx, merge_id)
        survivor, merged = await _pair(tx, record)
        kept = await _restore_fields(tx, survivor, merged, record.snapshot)
        moved = await _move_back(tx, record.snapshot.get("moved", {}), survivor.id, merged.id)
        await _recount(tx, survivor.id, merged.id, rebalance=bool(moved["points"]))
        done = {
            "at": clock.now().isoformat(), "by": by, "actor": actor.label, "moved_back": moved
        }  # fmt: skip
        snapshot = {**record.snapshot, "unmerged": done}
        await CustomerMerge.filter(id=merge_id).using_db(tx).update(snapshot=snapshot)
    customer_service.cache.clear()
    return UnmergeResult(merge_id, survivor.id, merged.id, moved, kept)


async def _lock_record(tx: BaseDBAsyncClient, merge_id: int) -> CustomerMerge:
    record = await CustomerMerge.filter(id=merge_id).using_db(tx).select_for_update().first()
    if record is None:
        raise NotFound(f"合并记录 {merge_id} 不存在：请用 `siyu merges` 查看合并记录编号")
    if "unmerged" in record.snapshot:
        at = record.snapshot["unmerged"].get("at", "")[:19].replace("T", " ")
        raise AlreadyUnmerged(f"合并记录 {merge_id} 已于 {at} (UTC) 撤销过，不能重复撤销")
    return record


async def _pair(tx: BaseDBAsyncClient, record: CustomerMerge) -> tuple[Customer, Customer]:
    survivor_id: int = record.survivor_id  # type: ignore[attr-defined]
    ids = sorted({survivor_id, record.merged_id})  # lock in id order: no deadlock with a merge
    rows = await Customer.filter(id__in=ids).using_db(tx).select_for_update().order_by("id")
    found = {c.id: c for c in rows}
    survivor, merged = found.get(survivor_id), found.get(record.merged_id)
    if survivor is None or merged is None:
        raise NotFound(f"合并记录 {record.id} 涉及的客户已被删除，无法撤销")
    if merged.merged_into_id != survivor.id:  # type: ignore[attr-defined]
        raise Conflict(f"客户 {merged.id} 已不再合并于客户 {survivor.id}，无需撤销")
    if survivor.merged_into_id is not None:  # type: ignore[attr-defined]
        later = await CustomerMerge.filter(merged_id=survivor.id).using_db(tx).order_by("-id")
        hint = f"（合并记录 {later[0].id}）" if later else ""
        into = survivor.merged_into_id  # type: ignore[attr-defined]
        raise Conflict(f"客户 {survivor.id} 之后又被合并到客户 {into}：请先撤销那次合并{hint}")
    return survivor, merged


async def _restore_fields(
    tx: BaseDBAsyncClient, survivor: Customer, merged: Customer, snapshot: dict[str, Any]
) -> tuple[str, ...]:
    """The survivor's fields that still hold what came from the other record go back to what
    the survivor had; fields changed since the merge are kept (and reported)."""
    before, other = snapshot.get("survivor", {}), snapshot.get("merged", {})
    back: dict[str, Any] = {}
    kept: list[str] = []
    for name in _RESTORABLE:
        now = jsonable(getattr(survivor, name))
        if now == before.get(name):
            continue
        if now == other.get(name) and _opt_out_unchanged(name, survivor, before):
            back[name] = _from_json(name, before.get(name))
        else:
            kept.append(name)
    attributes = _own_attributes(survivor.attributes or {}, before, other)
    if attributes != (survivor.attributes or {}):
        back["attributes"] = attributes
    if back:
        await Customer.filter(id=survivor.id).using_db(tx).update(**back)
    await _give_back_identities(tx, merged, other)
    return tuple(kept)


def _opt_out_unchanged(name: str, survivor: Customer, before: dict[str, Any]) -> bool:
    """An opt-out the survivor made after the merge is theirs: never undo it."""
    return name != "opted_out" or jsonable(survivor.opted_out_at) == before.get("opted_out_at")


def _own_attributes(
    current: dict[str, Any], before: dict[str, Any], other: dict[str, Any]
) -> dict[str, Any]:
    mine, theirs = before.get("attributes") or {}, other.get("attributes") or {}
    return {k: v for k, v in current.items() if k in mine or k not in theirs or theirs[k] != v}


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    field = Customer._meta.fields_map[name]
    kind = type(field).__name__
    if kind == "DatetimeField":
        return datetime.fromisoformat(value)
    if kind == "DateField":
        return date.fromisoformat(value)
    if kind == "DecimalField":
        return Decimal(value)
    enum_type = getattr(field, "enum_type", None)
    return enum_type(value) if enum_type else value


async def _give_back_identities(
    tx: BaseDBAsyncClient, merged: Customer, other: dict[str, Any]
) -> None:
    """openid / external_userid are unique: the merge moved them to the survivor."""
    updates: dict[str, Any] = {"merged_into_id": None}
    for name in UNIQUE:
        value = other.get(name)
        if value and getattr(merged, name) is None:
            taken = await Customer.filter(**{name: value}).using_db(tx).exists()
            if not taken:
                updates[name] = value
    await Customer.filter(id=merged.id).using_db(tx).update(**updates)


async def _move_back(
    tx: BaseDBAsyncClient, moved: dict[str, Any], survivor: int, merged: int
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, model in MOVED.items():
        counts[name] = await _reassign(tx, model, moved.get(name, []), survivor, merged)
    tags, segments = moved.get("tags", {}), moved.get("segments", {})
    counts["tags"] = await _reassign(tx, CustomerTag, tags.get("moved_ids", []), survivor, merged)
    counts["tags"] += await _recreate_tags(tx, tags.get("dropped", []), merged)
    counts["segments"] = await _reassign(
        tx, SegmentMember, segments.get("moved_ids", []), survivor, merged
    )
    counts["segments"] += await _recreate_members(tx, segments.get("dropped", []), merged)
    return counts


async def _reassign(
    tx: BaseDBAsyncClient, model: Any, ids: Sequence[int], survivor: int, merged: int
) -> int:
    """Only rows still on the survivor move (a row deleted since stays deleted)."""
    moved = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        qs = model.filter(id__in=chunk, customer_id=survivor).using_db(tx)
        moved += await qs.update(customer_id=merged)
    return moved


async def _recreate_tags(tx: BaseDBAsyncClient, dropped: list[dict[str, Any]], merged: int) -> int:
    """Tags both records had were dropped from the merged one; give them back."""
    alive = set(
        await Tag.filter(id__in=[r["tag_id"] for r in dropped])
        .using_db(tx)
        .values_list("id", flat=True)
    )
    rows = [
        CustomerTag(customer_id=merged, tag_id=r["tag_id"],
                    source=TagSource(r.get("source") or TagSource.STAFF))
        for r in dropped if r["tag_id"] in alive
    ]  # fmt: skip
    await CustomerTag.bulk_create(rows, using_db=tx, ignore_conflicts=True)
    return len(rows)


async def _recreate_members(
    tx: BaseDBAsyncClient, dropped: list[dict[str, Any]], merged: int
) -> int:
    wanted = [r["segment_id"] for r in dropped]
    alive = set(await Segment.filter(id__in=wanted).using_db(tx).values_list("id", flat=True))
    rows = [SegmentMember(customer_id=merged, segment_id=s) for s in wanted if s in alive]
    await SegmentMember.bulk_create(rows, using_db=tx, ignore_conflicts=True)
    return len(rows)


async def _recount(tx: BaseDBAsyncClient, survivor: int, merged: int, rebalance: bool) -> None:
    await refresh_order_stats([survivor, merged], tx)
    for customer_id in (survivor, merged):
        balance = await _ledger_balance(tx, customer_id)
        if balance < 0:
            raise Conflict(
                f"撤销后客户 {customer_id} 的积分将为 {balance}：合并后已用掉了另一位客户的积分。"
                f"请先为客户 {customer_id} 做一笔积分调整补足差额，再撤销合并"
            )
        await Customer.filter(id=customer_id).using_db(tx).update(points_balance=balance)
        if rebalance:
            await _rebalance_credits(tx, customer_id, balance)


async def _ledger_balance(tx: BaseDBAsyncClient, customer_id: int) -> int:
    amounts = (
        await PointsEntry.filter(customer_id=customer_id)
        .using_db(tx)
        .values_list("amount", flat=True)
    )
    return sum(int(a) for a in amounts)  # type: ignore[call-overload]


async def _rebalance_credits(tx: BaseDBAsyncClient, customer_id: int, balance: int) -> None:
    """After a redeem on the merged record, one person's credits may have paid for the other's:
    spread what was spent over this customer's own credits again, first-in-first-out."""
    credits = (
        await PointsEntry.filter(customer_id=customer_id, amount__gt=0)
        .using_db(tx)
        .order_by("expires_at", "id")
    )
    spent = sum(c.amount for c in credits) - balance
    for credit in credits:
        used = min(credit.amount, max(spent, 0))
        spent -= used
        if credit.remaining != credit.amount - used:
            await (
                PointsEntry.filter(id=credit.id).using_db(tx).update(remaining=credit.amount - used)
            )
