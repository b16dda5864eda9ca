"""Staff notifications as an outbox: a row is written in the ticket's transaction, then sent
at once by whoever can (the webhook, for WeCom users) and retried with backoff by the
leader's job until sent or given up. A send is claimed by a conditional UPDATE first, so the
webhook and the job (or two leaders) never send the same row twice at the same time."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from tortoise.exceptions import IntegrityError

from crm import sql
from crm.clock import Clock, utcnow
from crm.complaints.config import NotifySettings
from crm.models import ComplaintNotification, NotificationStatus
from crm.transactions import BaseDBAsyncClient

log = logging.getLogger("siyu.complaints.notify")

TOUSER, TOTAG, ROBOT = "touser", "totag", "robot"
_CLAIM = (
    'UPDATE "complaint_notification" SET "next_attempt_at" = ?, "attempts" = "attempts" + 1 '
    'WHERE "id" = ? AND "status" = ? AND "next_attempt_at" <= ?'
)


class StaffSender(Protocol):
    async def send(self, target: str, recipient: str, text: str) -> None:
        """Raise on failure (the row is retried)."""
        ...


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # touser, totag, robot
    recipient: str


def targets(settings: NotifySettings, admins: Sequence[str]) -> list[Target]:
    """Where a ticket is announced: the configured users / tags / robot, else the admins."""
    found = [
        Target(kind, value)
        for kind, value in ((TOUSER, settings.touser), (TOTAG, settings.totag),
                            (ROBOT, settings.robot_key))
        if value
    ]  # fmt: skip
    if not found and admins:
        found.append(Target(TOUSER, "|".join(admins)))
    return found


async def enqueue(
    complaint_id: int, key: str, text: str, to: Sequence[Target], *,
    conn: BaseDBAsyncClient, clock: Clock | None = None,
) -> list[ComplaintNotification]:  # fmt: skip
    """One row per target; a key already queued for the ticket is not queued again."""
    now, rows = utcnow(clock), []
    for target in to:
        try:
            async with conn._in_transaction() as savepoint:
                rows.append(await ComplaintNotification.create(
                    complaint_id=complaint_id, key=key, target=target.kind,
                    recipient=target.recipient, text=text, next_attempt_at=now, created_at=now,
                    using_db=savepoint,
                ))  # fmt: skip
        except IntegrityError:
            log.info("notification %s of ticket %s already queued", key, complaint_id)
    return rows


async def due(limit: int = 50, clock: Clock | None = None) -> list[ComplaintNotification]:
    return (
        await ComplaintNotification.filter(
            status=NotificationStatus.PENDING, next_attempt_at__lte=utcnow(clock)
        )
        .order_by("next_attempt_at")
        .limit(limit)
    )


async def deliver(
    row: ComplaintNotification, sender: StaffSender, settings: NotifySettings,
    clock: Clock | None = None,
) -> bool:  # fmt: skip
    """Claim the row, send it, record the outcome; True when this call sent it."""
    if not await _claim(row, settings, clock):
        return False
    try:
        await sender.send(row.target, row.recipient, row.text)
    except Exception as exc:
        await _failed(row, exc, settings, clock)
        return False
    await _mark(row, NotificationStatus.SENT, sent_at=utcnow(clock), last_error=None)
    return True


async def _claim(row: ComplaintNotification, settings: NotifySettings, clock: Clock | None) -> bool:
    """Hold the row for one send (until the send timeout has surely passed)."""
    now = utcnow(clock)
    hold = now + timedelta(seconds=settings.send_timeout_seconds * 2 + 1)
    changed = await sql.execute(_CLAIM, [hold, row.id, NotificationStatus.PENDING.value, now])
    if changed:
        row.attempts += 1
    return changed == 1


async def _failed(
    row: ComplaintNotification, exc: Exception, settings: NotifySettings, clock: Clock | None
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:200]
    if row.attempts >= settings.max_attempts:
        log.error("notification %s given up after %d attempts: %s", row.id, row.attempts, error)
        await _mark(row, NotificationStatus.FAILED, last_error=error)
        return
    delay = settings.retry_seconds * 2 ** (row.attempts - 1)
    log.warning("notification %s failed (attempt %d), retry in %.0fs: %s",
                row.id, row.attempts, delay, error)  # fmt: skip
    retry_at = utcnow(clock) + timedelta(seconds=delay)
    await _mark(row, NotificationStatus.PENDING, next_attempt_at=retry_at, last_error=error)


async def _mark(row: ComplaintNotification, status: NotificationStatus, **values: object) -> None:
    await ComplaintNotification.filter(id=row.id).update(status=status, **values)
