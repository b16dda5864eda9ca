"""Staff changes to a customer that both doors (WeCom commands, admin API) make: tags added
or removed by hand and points adjusted with a reason. Each change commits with its audit row;
a call that changes nothing (the tag was there, a retried reference) writes no row."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from crm import audit, points, tagging
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.customers import survivor_id
from crm.errors import InvalidInput
from crm.models import PointsEntry
from crm.transactions import transaction

TAG = "customers.tag"
UNTAG = "customers.untag"
ADJUST_POINTS = "points.adjust"
MAX_REASON = 200


async def add_tag(
    customer_id: int, name: str, *, actor: Actor, request_id: str | None = None
) -> bool:
    """Tag the customer (source staff); False when they had the tag already."""
    async with transaction() as tx:
        live = await survivor_id(customer_id, tx)
        added = await tagging.tag_by_staff(live, name, actor=actor, conn=tx)
        if added:
            await _record(actor, TAG, live, {"tag": name.strip()}, request_id, tx)
    return added


async def remove_tag(
    customer_id: int, name: str, *, actor: Actor, request_id: str | None = None
) -> bool:
    """Take the tag off, whatever gave it; False when the customer did not have it."""
    async with transaction() as tx:
        live = await survivor_id(customer_id, tx)
        removed = await tagging.untag(live, name.strip(), actor=actor, conn=tx)
        if removed:
            await _record(actor, UNTAG, live, {"tag": name.strip()}, request_id, tx)
    return removed


async def _record(
    actor: Actor, action: str, customer_id: int, change: dict[str, object],
    request_id: str | None, tx: BaseDBAsyncClient,
) -> None:  # fmt: skip
    before, after = ({}, change) if action != UNTAG else (change, {})
    await audit.record(
        actor, action, "customer", customer_id,
        before=before, after=after, request_id=request_id, conn=tx,
    )  # fmt: skip


async def adjust_points(
    customer_id: int,
    amount: int,
    reason: str,
    *,
    actor: Actor,
    reference: str,
    clock: Clock = SYSTEM_CLOCK,
    request_id: str | None = None,
) -> PointsEntry:
    """A signed correction through the ledger, idempotent by `reference` (a retry returns the
    first entry and writes no second audit row). InvalidInput without a reason."""
    note = reason.strip()
    if not note or len(note) > MAX_REASON:
        raise InvalidInput(f"调整积分需要写明原因（1 到 {MAX_REASON} 个字）")
    async with transaction() as tx:
        if await PointsEntry.exists(reference=reference, using_db=tx):
            return await PointsEntry.get(reference=reference, using_db=tx)
        entry = await points.adjust(
            customer_id, amount, reference, note, clock=clock, actor=actor, conn=tx
        )
        await _record_points(actor, entry, tx, request_id, clock)
    return entry


async def _record_points(
    actor: Actor, entry: PointsEntry, tx: BaseDBAsyncClient, request_id: str | None, clock: Clock
) -> None:
    after = {"amount": entry.amount, "reason": entry.note, "entry_id": entry.id}
    await audit.record(
        actor, ADJUST_POINTS, "customer", entry.customer_id,  # type: ignore[attr-defined]
        after=after, request_id=request_id, conn=tx, clock=clock,
    )  # fmt: skip
