"""Retention (PIPL art. 19: kept no longer than needed), run by the nightly job: message texts
and raw payloads past `privacy.retention.messages_days` are removed (the interaction rows stay,
with kind, time, sentiment and intent, so counts and sentiment reports do not change), finished
delivery records past `deliveries_days` and audit entries past `audit_days` are deleted.

Each step works in batches of ids (short transactions: SQLite has one writer), so a large
first run does not stall the webhook; a second run the same night finds nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from crm.clock import Clock, utcnow
from crm.models import AuditEntry, CampaignDelivery, DeliveryStatus, Interaction
from crm.pipl.config import RetentionSettings
from crm.pipl.erasure import sweep_after_erasure

BATCH = 5000
FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)
TEXTS_GONE = {"content": None, "payload": None, "keywords": None, "dedupe_key": None}


@dataclass(frozen=True, slots=True)
class RetentionReport:
    texts_removed: int
    deliveries_deleted: int
    audit_deleted: int
    after_erasure: int


def _cutoff(now: datetime, days: int) -> datetime | None:
    return None if days <= 0 else now - timedelta(days=days)


async def _batched(select: Callable[[], QuerySet[Any]], act: Callable[[list[int]], Any]) -> int:
    """`act` on the ids `select` finds, BATCH at a time, until it finds none."""
    done = 0
    while ids := list(await select().limit(BATCH).values_list("id", flat=True)):
        await act(ids)  # type: ignore[arg-type]
        done += len(ids)
    return done


async def remove_old_texts(before: datetime) -> int:
    def select() -> QuerySet[Interaction]:
        kept = Q(content__isnull=False) | Q(payload__isnull=False)
        return Interaction.filter(kept, created_at__lt=before).order_by("id")

    return await _batched(select, lambda ids: Interaction.filter(id__in=ids).update(**TEXTS_GONE))


async def delete_old_deliveries(before: datetime) -> int:
    def select() -> QuerySet[CampaignDelivery]:
        old = CampaignDelivery.filter(status__in=FINISHED, created_at__lt=before)
        return old.order_by("id")

    return await _batched(select, lambda ids: CampaignDelivery.filter(id__in=ids).delete())


async def delete_old_audit(before: datetime) -> int:
    def select() -> QuerySet[AuditEntry]:
        return AuditEntry.filter(at__lt=before).order_by("id")

    return await _batched(select, lambda ids: AuditEntry.filter(id__in=ids).delete())


async def enforce_retention(
    settings: RetentionSettings, *, clock: Clock | None = None
) -> RetentionReport:
    """Every period at once, as of `clock`'s now; a period of 0 days keeps forever."""
    now = utcnow(clock)

    async def step(days: int, remove: Callable[[datetime], Any]) -> int:
        before = _cutoff(now, days)
        return 0 if before is None else int(await remove(before))

    return RetentionReport(
        texts_removed=await step(settings.messages_days, remove_old_texts),
        deliveries_deleted=await step(settings.deliveries_days, delete_old_deliveries),
        audit_deleted=await step(settings.audit_days, delete_old_audit),
        after_erasure=await sweep_after_erasure(clock),
    )
