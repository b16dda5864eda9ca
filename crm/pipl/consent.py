"""Consent to marketing (PIPL arts. 13-15, 24): when and how each customer agreed, and when
they withdrew. The customer row holds the current answer (marketing_consent, read by the
outbox at enqueue and by the dispatcher before each batch, both in SQL); every change is a
ConsentRecord row, which is the proof a regulator asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient

from crm.clock import utcnow
from crm.models import ConsentRecord, Customer
from crm.pipl import config as privacy_config
from crm.transactions import transaction

MARKETING = "接收品牌营销消息（活动、优惠、生日与节日问候）"


class ConsentSource(StrEnum):
    FOLLOW = "follow"  # followed the account on a page that stated the purpose
    SUBSCRIBE_TEXT = "subscribe_text"  # sent 订阅 / 恢复订阅
    UNSUBSCRIBE_TEXT = "unsubscribe_text"  # sent 退订
    IMPORT = "import"  # a consent column in `siyu import`, with its source and date
    SEED = "seed"  # demo and seeded data


@dataclass(frozen=True, slots=True)
class Change:
    source: ConsentSource
    purpose: str = MARKETING
    detail: str | None = None  # the import file, the date the person gave it
    at: datetime | None = None


async def on_follow(customer_id: int, scene: str | None) -> bool:
    """A follow through a scene that stated its purpose (privacy.follow_consent_scenes)."""
    purpose = privacy_config.current().follow_consent_scenes.get(scene or "")
    if purpose is None:
        return False
    return await grant(customer_id, Change(ConsentSource.FOLLOW, purpose, detail=scene))


async def has_consent(customer_id: int) -> bool:
    return await Customer.filter(id=customer_id, marketing_consent=True).exists()


async def grant(customer_id: int, change: Change, conn: BaseDBAsyncClient | None = None) -> bool:
    """Record consent; False when it was on record already (no new row)."""
    return await _set(customer_id, True, change, conn)


async def withdraw(customer_id: int, change: Change, conn: BaseDBAsyncClient | None = None) -> bool:
    """Record the withdrawal; False when there was no consent on record."""
    return await _set(customer_id, False, change, conn)


async def _set(customer_id: int, on: bool, change: Change, conn: BaseDBAsyncClient | None) -> bool:
    at = change.at or utcnow()
    async with transaction(conn) as tx:
        rows = Customer.filter(id=customer_id, marketing_consent=not on).using_db(tx)
        stamps = {"consent_at": at, "consent_source": change.source.value} if on else {}
        if not await rows.update(marketing_consent=on, updated_at=at, **stamps):
            return False
        await ConsentRecord.create(
            customer_id=customer_id, granted=on, source=change.source.value,
            purpose=change.purpose, detail=change.detail, at=at, using_db=tx,
        )  # fmt: skip
    return True
