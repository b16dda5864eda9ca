"""Loyalty points: an append-only ledger (earn / redeem / expire / adjust), the balance cached on
the customer. Every entry is idempotent by its reference; the balance never goes negative, even
under concurrent redeems (row lock on PostgreSQL plus a conditional UPDATE everywhere).

FIFO here means soonest-expiring first: a redeem spends the credit whose expiry comes first
(ties: the earlier credit), not the one earned first; with one validity period the two agree,
but a later credit with a shorter validity is spent before an older, longer-lived one."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import PointsSettings
from crm.customers import survivor_id
from crm.errors import Conflict, InsufficientPoints, InvalidInput, NotFound
from crm.models import Customer, PointsEntry, PointsKind
from crm.sql import as_datetime, fetch, param
from crm.transactions import transaction

log = logging.getLogger("siyu.points")


@dataclass(frozen=True)
class PointsSummary:
    """What a customer asking 积分 is told: the points valid now, and how many of them expire on
    the soonest expiry day (`expiring_at` is that day's first expiry)."""

    balance: int
    expiring_amount: int
    expiring_at: datetime | None


@dataclass(frozen=True)
class _Change:
    customer_id: int
    kind: PointsKind
    amount: int
    reference: str
    note: str | None
    now: datetime
    actor: Actor


async def earn(
    customer_id: int,
    amount: int,
    reference: str,
    note: str | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    settings: PointsSettings | None = None,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> PointsEntry:
    """Credit points valid for settings.validity_days. Same reference again: the first entry."""
    if amount <= 0:
        raise InvalidInput("获得的积分必须是正数")
    change = _Change(customer_id, PointsKind.EARN, amount, reference, note, clock.now(), actor)
    entry = await _apply(change, settings or PointsSettings(), conn)
    _after_earn(entry.customer_id, amount, clock)  # type: ignore[attr-defined]
    return entry


def _after_earn(customer_id: int, amount: int, clock: Clock) -> None:
    """Event-triggered campaigns: scheduled as a task, never slowing or failing the earn."""
    # Imported here: crm.campaigns reads segments, whose compiler imports this module.
    from crm.campaigns import triggers

    triggers.after_earn(customer_id, amount, clock=clock)


async def redeem(
    customer_id: int,
    amount: int,
    reference: str,
    note: str | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> PointsEntry:
    """Spend points; InsufficientPoints when the balance is too low (nothing changes)."""
    if amount <= 0:
        raise InvalidInput("兑换的积分必须是正数")
    change = _Change(customer_id, PointsKind.REDEEM, -amount, reference, note, clock.now(), actor)
    return await _apply(change, PointsSettings(), conn)


async def adjust(
    customer_id: int,
    amount: int,
    reference: str,
    note: str | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    settings: PointsSettings | None = None,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> PointsEntry:
    """Staff correction, signed; a positive one is a credit with the usual validity."""
    if amount == 0:
        raise InvalidInput("调整的积分不能为 0")
    change = _Change(customer_id, PointsKind.ADJUST, amount, reference, note, clock.now(), actor)
    return await _apply(change, settings or PointsSettings(), conn)


async def _apply(
    change: _Change, settings: PointsSettings, conn: BaseDBAsyncClient | None
) -> PointsEntry:
    change = replace(change, customer_id=await survivor_id(change.customer_id, conn))
    existing = await PointsEntry.get_or_none(reference=change.reference, using_db=conn)
    if existing is not None:
        return _same(existing, change)
    try:
        async with transaction(conn) as tx:
            entry = await _write(tx, change, settings)
    except IntegrityError:
        existing = await PointsEntry.get_or_none(reference=change.reference, using_db=conn)
        if existing is None:
            raise
        return _same(existing, change)
    log.info(
        "points %s %+d for customer %s by %s (%s)",
        change.kind.value, change.amount, change.customer_id, change.actor.label, change.reference,
    )  # fmt: skip
    return entry


def _same(entry: PointsEntry, change: _Change) -> PointsEntry:
    if (entry.customer_id, entry.kind, entry.amount) != (  # type: ignore[attr-defined]
        change.customer_id,
        change.kind,
        change.amount,
    ):
        raise Conflict(f"积分流水编号 {change.reference} 已用于另一笔变动")
    return entry


async def _write(tx: BaseDBAsyncClient, change: _Change, settings: PointsSettings) -> PointsEntry:
    # The survivor again, under its row lock: a merge may have committed since _apply's look-up.
    change = replace(change, customer_id=await survivor_id(change.customer_id, tx, lock=True))
    if change.amount > 0:
        return await _credit(tx, change, settings)
    return await _debit(tx, change)


async def _credit(tx: BaseDBAsyncClient, change: _Change, settings: PointsSettings) -> PointsEntry:
    await (
        Customer.filter(id=change.customer_id)
        .using_db(tx)
        .update(points_balance=F("points_balance") + change.amount)
    )
    return await PointsEntry.create(
        using_db=tx,
        customer_id=change.customer_id,
        kind=change.kind,
        amount=change.amount,
        remaining=change.amount,
        expires_at=change.now + timedelta(days=settings.validity_days),
        reference=change.reference,
        note=change.note,
    )


async def _debit(tx: BaseDBAsyncClient, change: _Change) -> PointsEntry:
    spend = -change.amount
    credits = await _valid(change.customer_id, change.now).using_db(tx).order_by("expires_at", "id")
    have = sum(credit.remaining for credit in credits)
    if have < spend or not await _lower_balance(tx, change.customer_id, spend):
        raise InsufficientPoints(f"积分不足：需要 {spend}，当前可用 {have}")
    await _consume_fifo(tx, credits, spend)
    return await PointsEntry.create(
        using_db=tx,
        customer_id=change.customer_id,
        kind=change.kind,
        amount=change.amount,
        reference=change.reference,
        note=change.note,
    )


async def _lower_balance(tx: BaseDBAsyncClient, customer_id: int, spend: int) -> int:
    return await (
        Customer.filter(id=customer_id, points_balance__gte=spend)
        .using_db(tx)
        .update(points_balance=F("points_balance") - spend)
    )


def _valid(customer_id: int, now: datetime) -> QuerySet[PointsEntry]:
    """Credits spendable at `now`: unspent and not past their date, whether or not the expiry
    job has swept them yet (the cached balance still counts unswept ones)."""
    return PointsEntry.filter(customer_id=customer_id, remaining__gt=0, expires_at__gt=param(now))


def unswept(now: datetime) -> QuerySet[PointsEntry]:
    """Credits past their date at `now` that the expiry job has not swept yet: the cached
    customer.points_balance still counts them, the balance valid at `now` does not."""
    return PointsEntry.filter(remaining__gt=0, expires_at__lte=param(now))


async def unswept_amounts(customer_ids: list[int], now: datetime) -> dict[int, int]:
    """Per customer, the points the cached balance counts beyond the balance valid at `now`."""
    rows = await (
        unswept(now)
        .filter(customer_id__in=customer_ids)
        .annotate(total=Sum("remaining"))
        .group_by("customer_id")
        .values_list("customer_id", "total")
    )
    return {customer_id: int(total) for customer_id, total in rows}


async def _consume_fifo(tx: BaseDBAsyncClient, credits: list[PointsEntry], spend: int) -> None:
    """Spend from `credits`, read under the customer's row lock, soonest-expiring first."""
    for credit in credits:
        if spend == 0:
            return
        used = min(credit.remaining, spend)
        await PointsEntry.filter(id=credit.id).using_db(tx).update(remaining=F("remaining") - used)
        spend -= used


async def expire_due(
    batch_size: int = 500,
    *,
    clock: Clock = SYSTEM_CLOCK,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """Expire every credit whose validity ended; returns the number of expire entries written."""
    moment = clock.now()
    written = 0
    while True:
        due = await (
            PointsEntry.filter(remaining__gt=0, expires_at__lte=moment)
            .using_db(conn)
            .limit(batch_size)
        )
        if not due:
            if written:
                log.info("%d points credits expired by %s", written, actor.label)
            return written
        for credit in due:
            written += await _expire_one(credit.id, moment, conn)


async def _expire_one(credit_id: int, now: datetime, conn: BaseDBAsyncClient | None) -> int:
    async with transaction(conn) as tx:
        credit = await PointsEntry.filter(id=credit_id).using_db(tx).first()
        if credit is None or credit.remaining <= 0:
            return 0
        customer_id = credit.customer_id  # type: ignore[attr-defined]
        await Customer.filter(id=customer_id).using_db(tx).select_for_update()
        lost = credit.remaining
        await PointsEntry.filter(id=credit_id).using_db(tx).update(remaining=0)
        await (
            Customer.filter(id=customer_id)
            .using_db(tx)
            .update(points_balance=F("points_balance") - lost)
        )
        await PointsEntry.create(
            using_db=tx,
            customer_id=customer_id,
            kind=PointsKind.EXPIRE,
            amount=-lost,
            reference=f"expire:{credit_id}",
            note="积分到期",
        )
        return 1


# One row per expiry time of the credits valid at ?, or one row of NULLs without any.
_SUMMARY = """
SELECT e.expires_at AS expires_at, COALESCE(SUM(e.remaining), 0) AS amount
FROM customer c LEFT JOIN points_entry e
  ON e.customer_id = c.id AND e.remaining > 0 AND e.expires_at > ?
WHERE c.id = ?
GROUP BY e.expires_at
"""


async def points_summary(
    customer_id: int, *, clock: Clock = SYSTEM_CLOCK, timezone: str = "Asia/Shanghai"
) -> PointsSummary:
    """The points valid now and those expiring on the soonest expiry day (local to
    `timezone`), in one query: it answers a customer's 积分 inside the webhook's time budget.
    Credits past their date count for nothing, whether or not the expiry job has run."""
    rows = await fetch(_SUMMARY, [clock.now(), customer_id])
    if not rows:
        raise NotFound(f"客户 {customer_id} 不存在")
    batches = [(as_datetime(r["expires_at"]), int(r["amount"])) for r in rows if r["expires_at"]]
    return _summarise(batches, ZoneInfo(timezone))


def _summarise(batches: list[tuple[datetime, int]], zone: ZoneInfo) -> PointsSummary:
    if not batches:
        return PointsSummary(0, 0, None)
    first = min(at for at, _ in batches)
    day = first.astimezone(zone).date()
    expiring = sum(amount for at, amount in batches if at.astimezone(zone).date() == day)
    return PointsSummary(sum(amount for _, amount in batches), expiring, first)


async def _sum(qs: QuerySet[PointsEntry], column: str) -> int:
    rows: list[Any] = await qs.annotate(total=Sum(column)).values_list("total", flat=True)
    return int(rows[0] or 0) if rows else 0


async def ledger_balance(customer_id: int) -> int:
    """The balance recomputed from the ledger (the cached balance must always equal it)."""
    return await _sum(PointsEntry.filter(customer_id=customer_id), "amount")


def describe(summary: PointsSummary, timezone: str = "Asia/Shanghai") -> str:
    """The in-chat answer to 积分 / points_query, in the brand's voice."""
    text = f"您当前的积分余额为 {summary.balance:,} 分。"
    if summary.expiring_amount and summary.expiring_at:
        day = summary.expiring_at.astimezone(ZoneInfo(timezone))
        text += (
            f"其中 {summary.expiring_amount:,} 分将于 {day.year}年{day.month}月{day.day}日 到期，"
            "记得及时使用哦～"
        )
    elif not summary.balance:
        text += "消费或参与活动即可获得积分，欢迎常来～"
    return text
