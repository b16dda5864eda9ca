"""Claiming due deliveries for one worker, and writing each one's outcome.

A claim is a lease: `claimed_by` + `claim_expires_at`. PostgreSQL picks the batch with
`FOR UPDATE SKIP LOCKED`, so two workers claiming at once never take the same row; SQLite
(one writer at a time) needs no lock, the single UPDATE is atomic. A worker that dies leaves
its claims to expire; another worker takes them over after the lease.

Every outcome write is guarded by `claimed_by = worker` and `status = pending`: a worker whose
lease was taken over cannot overwrite what the new owner wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import DeliveryStatus, SendChannel
from crm.sql import execute, fetch, is_postgres, marks

_PICK = """
SELECT d.id FROM campaign_delivery d
JOIN campaign_run r ON r.id = d.run_id
JOIN campaign c ON c.id = d.campaign_id
WHERE d.status = 'pending' AND d.due_at <= ?
  AND (d.claimed_by IS NULL OR d.claim_expires_at <= ?)
  AND NOT r.dry_run AND c.status <> 'paused'
ORDER BY d.due_at, d.id LIMIT ?
"""
_CLAIM = """
UPDATE campaign_delivery SET claimed_by = ?, claim_expires_at = ?
WHERE id IN ({pick}) RETURNING id
"""
_DETAILS = """
SELECT d.id, d.customer_id, d.campaign_id, d.coupon_code, d.attempts, d.marketing, r.step,
       d.needs_consent,
       c.openid, c.external_userid, c.follow_user, c.subscribed, c.opted_out,
       c.merged_into_id
FROM campaign_delivery d
JOIN campaign_run r ON r.id = d.run_id
JOIN customer c ON c.id = d.customer_id
WHERE d.id IN ({ids}) AND d.claimed_by = ?
ORDER BY d.campaign_id, d.id
"""
_GUARD = "WHERE id = ? AND claimed_by = ? AND status = 'pending'"


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """What sending one delivery needs, read when it was claimed."""

    id: int
    customer_id: int
    campaign_id: int
    step: int
    openid: str | None
    external_userid: str | None
    follow_user: str | None
    subscribed: bool
    opted_out: bool
    merged: bool
    marketing: bool
    coupon_code: str | None
    attempts: int
    needs_consent: bool = False  # PIPL: marketing checked against consent (withheld_among)


def _claimed(row: dict) -> ClaimedDelivery:
    return ClaimedDelivery(
        id=int(row["id"]),
        customer_id=int(row["customer_id"]),
        campaign_id=int(row["campaign_id"]),
        step=int(row["step"]),
        openid=row["openid"],
        external_userid=row["external_userid"],
        follow_user=row["follow_user"],
        subscribed=bool(row["subscribed"]),
        opted_out=bool(row["opted_out"]),
        merged=row["merged_into_id"] is not None,
        marketing=bool(row["marketing"]),
        needs_consent=bool(row["needs_consent"]),
        coupon_code=row["coupon_code"],
        attempts=int(row["attempts"]),
    )


def _claim_sql() -> str:
    pick = _PICK + (" FOR UPDATE OF d SKIP LOCKED" if is_postgres() else "")
    return _CLAIM.format(pick=pick)


async def claim(
    worker: str, limit: int, *, lease_seconds: float, clock: Clock = SYSTEM_CLOCK
) -> list[ClaimedDelivery]:
    """Up to `limit` due deliveries, leased to `worker` for `lease_seconds`; with the
    customer's current state (opt-out, follow, WeCom contact) read after the claim."""
    now = clock.now()
    until = now + timedelta(seconds=lease_seconds)
    rows = await fetch(_claim_sql(), [worker, until, now, now, limit])
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    details = await fetch(_DETAILS.format(ids=marks(len(ids))), [*ids, worker])
    return [_claimed(row) for row in details]


async def mark_sent(
    delivery_id: int,
    worker: str,
    *,
    channel: SendChannel,
    msgid: str | None,
    content: str | None,
    clock: Clock = SYSTEM_CLOCK,
    status: DeliveryStatus = DeliveryStatus.SENT,
) -> bool:
    """WeChat accepted it (status SENT), or a WeCom task holds it (status WAITING)."""
    sql = (
        "UPDATE campaign_delivery SET status = ?, channel = ?, wechat_msgid = ?, content = ?, "
        f"sent_at = ?, claimed_by = NULL, claim_expires_at = NULL, updated_at = ? {_GUARD}"
    )
    now = clock.now()
    sent_at = now if status is DeliveryStatus.SENT else None
    values = [status.value, channel.value, msgid, content, sent_at, now, delivery_id, worker]
    return await execute(sql, values) == 1


async def mark_failed(
    delivery_id: int,
    worker: str,
    *,
    errcode: int | None,
    reason: str,
    channel: SendChannel | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> bool:
    sql = (
        "UPDATE campaign_delivery SET status = 'failed', errcode = ?, reason = ?, channel = ?, "
        f"claimed_by = NULL, claim_expires_at = NULL, updated_at = ? {_GUARD}"
    )
    values = [errcode, reason[:64], _value(channel), clock.now(), delivery_id, worker]
    return await execute(sql, values) == 1


async def retry_later(
    delivery_id: int, worker: str, *, due_at: datetime, errcode: int | None, clock: Clock
) -> bool:
    """Back to the queue at `due_at`, one attempt more, the claim released."""
    sql = (
        "UPDATE campaign_delivery SET due_at = ?, attempts = attempts + 1, errcode = ?, "
        f"claimed_by = NULL, claim_expires_at = NULL, updated_at = ? {_GUARD}"
    )
    return await execute(sql, [due_at, errcode, clock.now(), delivery_id, worker]) == 1


async def defer(delivery_id: int, worker: str, *, due_at: datetime, clock: Clock) -> bool:
    """Back to the queue at `due_at` (quiet hours began while it waited), no attempt spent."""
    sql = (
        "UPDATE campaign_delivery SET due_at = ?, claimed_by = NULL, claim_expires_at = NULL, "
        f"updated_at = ? {_GUARD}"
    )
    return await execute(sql, [due_at, clock.now(), delivery_id, worker]) == 1


_WITHHELD = (
    "SELECT id, opted_out FROM customer WHERE (opted_out OR NOT marketing_consent) AND id IN ({})"
)


async def withheld_among(deliveries: Sequence[ClaimedDelivery]) -> dict[int, str]:
    """Delivery id -> skip reason for those not to send now, read again just before their
    batch goes out, in one query: the customer opted out, or a delivery that needs consent
    (PIPL) and the customer has none on record (withdrawn since the enqueue)."""
    ids = sorted({d.customer_id for d in deliveries})
    if not ids:
        return {}
    rows = await fetch(_WITHHELD.format(marks(len(ids))), ids)
    held = {int(row["id"]): bool(row["opted_out"]) for row in rows}
    return {d.id: reason for d in deliveries if (reason := _withheld(d, held))}


def _withheld(delivery: ClaimedDelivery, held: dict[int, bool]) -> str | None:
    if delivery.customer_id not in held:
        return None
    if held[delivery.customer_id]:
        return "opted_out"
    return "no_consent" if delivery.needs_consent else None


async def skip(delivery_id: int, worker: str, *, reason: str, clock: Clock = SYSTEM_CLOCK) -> bool:
    sql = (
        "UPDATE campaign_delivery SET status = 'skipped', reason = ?, "
        f"claimed_by = NULL, claim_expires_at = NULL, updated_at = ? {_GUARD}"
    )
    return await execute(sql, [reason[:64], clock.now(), delivery_id, worker]) == 1


def _value(channel: SendChannel | None) -> str | None:
    return None if channel is None else channel.value
