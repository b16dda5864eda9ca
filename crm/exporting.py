"""`siyu export customers --segment ID`: stream a segment (or everyone) to CSV in batches,
UTF-8 with BOM so Excel opens it, phone and name masked unless asked otherwise."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from tortoise.queryset import QuerySet

from crm.birthdays import lunar_year
from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import BirthdayCalendar, Customer, CustomerTag, RfmScore
from crm.points import unswept_amounts
from crm.privacy import mask_name, mask_phone
from crm.segments import get_segment, iter_customers, segment_queryset
from crm.segments.service import context

COLUMNS = [
    "id", "display_name", "phone", "gender", "city", "birthday", "channel", "subscribed",
    "opted_out", "lifecycle_stage", "r_score", "f_score", "m_score", "points_balance",
    "total_spent", "order_count", "last_order_at", "last_active_at", "tags",
]  # fmt: skip


async def export_customers(
    output: Path,
    segment_id: int | None = None,
    masked: bool = True,
    batch_size: int = 1000,
    on_progress: Callable[[int], None] | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> int:
    """Write the customers; returns how many rows were written."""
    qs = await _selection(segment_id, clock)
    written = 0
    with output.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        async for batch in iter_customers(qs, batch_size):
            ids = [c.id for c in batch]
            tags, scores = await _tags(ids), await _scores(ids)
            # The points valid now, as segments and the 积分 answer count them.
            stale = await unswept_amounts(ids, clock.now())
            writer.writerows(
                _row(c, tags.get(c.id, []), scores.get(c.id), masked, stale.get(c.id, 0))
                for c in batch
            )
            written += len(batch)
            if on_progress:
                on_progress(len(batch))
    return written


async def _selection(segment_id: int | None, clock: Clock) -> QuerySet[Customer]:
    if segment_id is None:
        return Customer.filter(merged_into_id__isnull=True)
    return segment_queryset(await get_segment(segment_id), context(clock=clock))


async def selection_count(segment_id: int | None, *, clock: Clock = SYSTEM_CLOCK) -> int:
    return await (await _selection(segment_id, clock)).count()


async def _tags(ids: list[int]) -> dict[int, list[str]]:
    rows = await CustomerTag.filter(customer_id__in=ids).values_list("customer_id", "tag__name")
    tags: dict[int, list[str]] = {}
    for customer_id, name in rows:
        tags.setdefault(customer_id, []).append(name)
    return tags


async def _scores(ids: list[int]) -> dict[int, tuple[int, int, int]]:
    rows = await RfmScore.filter(customer_id__in=ids).values_list(
        "customer_id", "r_score", "f_score", "m_score"
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def birthday_text(c: Customer) -> str:
    if c.birthday_md is None:
        return ""
    if c.birthday_calendar == BirthdayCalendar.SOLAR and c.birthday:
        return c.birthday.isoformat()
    month, day = divmod(c.birthday_md, 100)
    if c.birthday_calendar == BirthdayCalendar.SOLAR:
        return f"{month:02d}-{day:02d}"
    year = lunar_year(c.birthday) if c.birthday else None
    return f"农历{f'{year}-' if year else ''}{'闰' if c.birthday_leap else ''}{month:02d}-{day:02d}"


def _row(
    c: Customer, tags: list[str], rfm: tuple[int, int, int] | None, masked: bool, expired: int
) -> list[Any]:
    r, f, m = rfm or ("", "", "")
    phone = mask_phone(c.phone) if masked else c.phone
    name = mask_name(c.display_name) if masked else c.display_name
    return [
        c.id, name or "", phone or "", c.gender, c.city or "", birthday_text(c), c.source_channel,
        int(c.subscribed), int(c.opted_out), c.lifecycle_stage, r, f, m, c.points_balance - expired,
        c.total_spent, c.order_count,
        c.last_order_at.isoformat() if c.last_order_at else "",
        c.last_active_at.isoformat() if c.last_active_at else "", "|".join(sorted(tags)),
    ]  # fmt: skip


async def customer_rows(
    segment_id: int | None, *, masked: bool, batch_size: int = 1000, clock: Clock = SYSTEM_CLOCK
) -> AsyncIterator[list[list[Any]]]:
    """The rows export_customers writes (without the header), batch by batch, for a caller that
    streams them (the admin API's CSV export)."""
    qs = await _selection(segment_id, clock)
    async for batch in iter_customers(qs, batch_size):
        ids = [c.id for c in batch]
        tags, scores = await _tags(ids), await _scores(ids)
        stale = await unswept_amounts(ids, clock.now())
        yield [
            _row(c, tags.get(c.id, []), scores.get(c.id), masked, stale.get(c.id, 0)) for c in batch
        ]
