"""Merging two records of one person (same unionid or same phone) into the older one.

Interactions, tags, points, orders, complaints and segment memberships move to the survivor;
the survivor's empty fields are filled from the other record; the merged record stays (marked
merged_into) and a CustomerMerge keeps both records as they were plus the ids of every moved
row, so a wrong merge can be undone with `unmerge` (crm/unmerge.py, re-exported here). An undone
merge sticks: duplicate detection never pairs those two records again (`merge_customers` by
staff still can)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from crm import customers as customer_service
from crm.actors import Actor
from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import (
    Complaint,
    Customer,
    CustomerMerge,
    CustomerTag,
    Gender,
    Interaction,
    Order,
    PointsEntry,
    SegmentMember,
)
from crm.orders import refresh_order_stats
from crm.sql import fetch
from crm.transactions import transaction

if TYPE_CHECKING:
    from crm.unmerge import UnmergeResult

log = logging.getLogger("siyu.merge")
FILLABLE = (
    "openid", "unionid", "external_userid", "follow_user", "display_name", "phone", "birthday",
    "birthday_calendar", "birthday_md", "birthday_leap", "city", "source_detail",
    "subscribed_at",
)  # fmt: skip
UNIQUE = ("openid", "external_userid")
MOVED = {"interactions": Interaction, "points": PointsEntry, "orders": Order,
          "complaints": Complaint}  # fmt: skip

_PAIRS = """
SELECT c."id" AS duplicate, g.survivor AS survivor FROM "customer" c JOIN (
  SELECT "{key}" AS k, MIN("id") AS survivor FROM "customer"
  WHERE "{key}" IS NOT NULL AND "merged_into_id" IS NULL GROUP BY "{key}" HAVING COUNT(*) > 1
) g ON c."{key}" = g.k
WHERE c."id" <> g.survivor AND c."merged_into_id" IS NULL AND NOT EXISTS (
  SELECT 1 FROM "customer_merge" m
  WHERE (m."survivor_id" = g.survivor AND m."merged_id" = c."id")
     OR (m."survivor_id" = c."id" AND m."merged_id" = g.survivor)
) ORDER BY c."id" LIMIT {limit}
"""


@dataclass(frozen=True)
class DuplicatePair:
    survivor_id: int
    duplicate_id: int
    reason: str


async def find_duplicates(limit: int = 1000) -> list[DuplicatePair]:
    """Live records sharing a unionid or a phone with an older live record, except pairs
    merged before: both records live again means that merge was undone (`unmerge` writes it
    into the merge record), and staff said they are two people. Only staff merge them again."""
    pairs: list[DuplicatePair] = []
    for key in ("unionid", "phone"):
        rows = await fetch(_PAIRS.format(key=key, limit=int(limit)))
        pairs += [DuplicatePair(r["survivor"], r["duplicate"], key) for r in rows]
    return pairs


async def merge_duplicates(max_rounds: int = 10, *, actor: Actor) -> int:
    """Merge every duplicate found (repeating, since one merge can reveal the next)."""
    merged = 0
    for _ in range(max_rounds):
        pairs = await find_duplicates()
        done: set[int] = set()
        for pair in pairs:
            if {pair.survivor_id, pair.duplicate_id} & done:
                continue
            await merge_customers(pair.survivor_id, pair.duplicate_id, pair.reason, actor=actor)
            done |= {pair.survivor_id, pair.duplicate_id}
            merged += 1
        if not pairs:
            return merged
    return merged


async def merge_customers(
    survivor_id: int,
    duplicate_id: int,
    reason: str,
    *,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> CustomerMerge:
    if survivor_id == duplicate_id:
        raise InvalidInput("不能把客户与自己合并")
    async with transaction(conn) as tx:
        survivor, duplicate = await _load(tx, survivor_id), await _load(tx, duplicate_id)
        snapshot: dict[str, Any] = {"survivor": _fields(survivor), "merged": _fields(duplicate)}
        snapshot["moved"] = await _move_rows(tx, survivor_id, duplicate_id)
        await _absorb(tx, survivor, duplicate)
        await refresh_order_stats([survivor_id, duplicate_id], tx)
        record = await CustomerMerge.create(
            using_db=tx, survivor_id=survivor_id, merged_id=duplicate_id, reason=reason,
            snapshot=snapshot,
        )  # fmt: skip
    customer_service.cache.clear()  # cached records may now be merged away or changed
    log.info(
        "customer %s merged into %s (%s) by %s", duplicate_id, survivor_id, reason, actor.label
    )
    return record


async def _load(tx: BaseDBAsyncClient, customer_id: int) -> Customer:
    customer = await Customer.filter(id=customer_id).using_db(tx).select_for_update().first()
    if customer is None:
        raise NotFound(f"客户 {customer_id} 不存在")
    if customer.merged_into_id is not None:  # type: ignore[attr-defined]
        raise Conflict(f"客户 {customer_id} 已被合并到 {customer.merged_into_id}")  # type: ignore[attr-defined]
    return customer


def _fields(customer: Customer) -> dict[str, Any]:
    return {name: jsonable(getattr(customer, name)) for name in customer._meta.db_fields}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


async def _move_rows(tx: BaseDBAsyncClient, survivor: int, duplicate: int) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    for name, model in MOVED.items():
        ids = await model.filter(customer_id=duplicate).using_db(tx).values_list("id", flat=True)
        await model.filter(customer_id=duplicate).using_db(tx).update(customer_id=survivor)
        moved[name] = list(ids)
    moved["tags"] = await _move_unique(tx, CustomerTag, "tag_id", survivor, duplicate)
    moved["segments"] = await _move_unique(tx, SegmentMember, "segment_id", survivor, duplicate)
    return moved


async def _move_unique(
    tx: BaseDBAsyncClient, model: Any, key: str, survivor: int, duplicate: int
) -> dict[str, Any]:
    """Rows unique per (customer, key): move those the survivor lacks, drop the rest."""
    have = set(await model.filter(customer_id=survivor).using_db(tx).values_list(key, flat=True))
    extra = ("source",) if model is CustomerTag else ()  # so an unmerge can recreate it as it was
    rows = await model.filter(customer_id=duplicate).using_db(tx).values("id", key, *extra)
    dropped = [r for r in rows if r[key] in have]
    kept = [r["id"] for r in rows if r[key] not in have]
    if dropped:
        await model.filter(id__in=[r["id"] for r in dropped]).using_db(tx).delete()
    if kept:
        await model.filter(id__in=kept).using_db(tx).update(customer_id=survivor)
    return {"moved_ids": kept, "dropped": dropped}


async def _absorb(tx: BaseDBAsyncClient, survivor: Customer, duplicate: Customer) -> None:
    updates = {f: getattr(duplicate, f) for f in FILLABLE if _empty(survivor, f, duplicate)}
    if survivor.gender == Gender.UNKNOWN and duplicate.gender != Gender.UNKNOWN:
        updates["gender"] = duplicate.gender
    updates["attributes"] = {**(duplicate.attributes or {}), **(survivor.attributes or {})}
    updates["subscribed"] = survivor.subscribed or duplicate.subscribed
    updates["opted_out"] = survivor.opted_out or duplicate.opted_out  # respect any opt-out
    updates["last_active_at"] = _latest(survivor.last_active_at, duplicate.last_active_at)
    updates["points_balance"] = survivor.points_balance + duplicate.points_balance
    freed = {f: None for f in UNIQUE if f in updates}
    await (
        Customer.filter(id=duplicate.id)
        .using_db(tx)
        .update(merged_into_id=survivor.id, points_balance=0, **freed)
    )
    await Customer.filter(id=survivor.id).using_db(tx).update(**updates)


def _empty(survivor: Customer, name: str, duplicate: Customer) -> bool:
    if name.startswith("birthday"):
        return survivor.birthday_md is None and duplicate.birthday_md is not None
    return getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, "")


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((d for d in (a, b) if d is not None), default=None)


async def unmerge(
    merge_id: int,
    by: str | None = None,
    *,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> UnmergeResult:
    """Undo a merge (see crm/unmerge.py): the merged-away record lives again with its rows."""
    from crm.unmerge import undo_merge  # crm.unmerge builds on this module's helpers

    return await undo_merge(merge_id, by, actor=actor, conn=conn)


@dataclass(frozen=True)
class MergeSummary:
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    created_at: datetime
    unmerged_at: str | None


async def list_merges(customer_id: int | None = None, limit: int = 20) -> list[MergeSummary]:
    """The latest merges (of one customer, as survivor or merged-away record), newest first."""
    qs = CustomerMerge.all()
    if customer_id is not None:
        qs = CustomerMerge.filter(Q(survivor_id=customer_id) | Q(merged_id=customer_id))
    records = await qs.order_by("-id").limit(limit)
    return [
        MergeSummary(r.id, r.survivor_id, r.merged_id, r.reason, r.created_at,  # type: ignore[attr-defined]
                     (r.snapshot.get("unmerged") or {}).get("at"))
        for r in records
    ]  # fmt: skip
