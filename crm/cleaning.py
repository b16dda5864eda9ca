"""Data cleaning over stored customers: phone numbers brought to E.164 so duplicates show."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.expressions import Q

from crm.actors import Actor
from crm.errors import InvalidInput
from crm.models import Customer
from crm.phones import normalize_phone

log = logging.getLogger("siyu.cleaning")


@dataclass(frozen=True)
class PhoneCleaning:
    normalized: int
    invalid: tuple[int, ...]  # customer ids whose phone could not be read (left as they are)


async def normalize_stored_phones(batch_size: int = 1000, *, actor: Actor) -> PhoneCleaning:
    """Rewrite phones not yet in E.164 ('138 1234 5678' -> '+8613812345678'), batch by batch."""
    normalized, last = 0, 0
    invalid: list[int] = []
    while True:
        rows = await (
            Customer.filter(Q(phone__isnull=False) & ~Q(phone__startswith="+"), id__gt=last)
            .order_by("id")
            .limit(batch_size)
            .values_list("id", "phone")
        )
        if not rows:
            if normalized:
                log.info("%d stored phones normalized by %s", normalized, actor.label)
            return PhoneCleaning(normalized, tuple(invalid))
        for customer_id, phone in rows:
            try:
                await Customer.filter(id=customer_id).update(phone=normalize_phone(phone))
                normalized += 1
            except InvalidInput:
                invalid.append(customer_id)
        last = rows[-1][0]
