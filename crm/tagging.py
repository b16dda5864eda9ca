"""Tags applied to customers from what they write (keyword, intent, sentiment) and by staff.

Tags stick, so each process remembers which (customer, tag) pairs it has seen applied: a
customer who keeps writing about 快递 costs no query after the first time. Both that and the
name -> id map are checked cheaply against tags deleted in other processes (the API's DELETE
/v1/tags): a dead id fails the insert on its foreign key (tag ids are never reused: serial on
PostgreSQL, AUTOINCREMENT on SQLite), and then everything remembered is dropped and the insert
retried with live ids; and what is remembered is dropped every REMEMBER_SECONDS anyway, so a
customer whose tag was deleted elsewhere can be tagged again within a minute. Resolving the
names in the database on every message instead costs a query per message (measured: 2-6 ms
on this loaded machine against a dict's microsecond).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from crm import store_keys
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import InvalidInput
from crm.models import Customer, CustomerTag, Tag
from crm.sql import is_postgres, value_rows
from crm.transactions import transaction
from nlp import Analysis, SentimentLabel, TagHit, TagSource, is_unhappy
from nlp.config import NlpSettings

log = logging.getLogger("siyu.tagging")
_MAX_REMEMBERED = 500_000
REMEMBER_SECONDS = 60.0
_tag_ids: dict[str, int] = {}
_applied: set[tuple[int, int]] = set()
_remembered_since = [time.monotonic()]


def _expire() -> None:
    if time.monotonic() - _remembered_since[0] > REMEMBER_SECONDS:
        forget_cached()


async def tag_id(name: str) -> int:
    _expire()
    cached = _tag_ids.get(name)
    if cached is None:
        tag, _ = await Tag.get_or_create(name=name[:64])
        cached = _tag_ids[name] = tag.id
    return cached


async def apply(
    customer_id: int, hits: Iterable[TagHit], *, clock: Clock = SYSTEM_CLOCK
) -> list[str]:
    """Give the customer these tags (the first source stays); returns the ones that are new."""
    wanted: dict[int, TagHit] = {}
    for hit in hits:
        tid = await tag_id(hit.tag)
        if (customer_id, tid) not in _applied:
            wanted.setdefault(tid, hit)
    if not wanted:
        return []
    try:
        added = await _insert_missing(customer_id, wanted, clock.now())
    except IntegrityError:  # a tag deleted by another process: its id is dead here
        forget_cached()
        wanted = {await tag_id(hit.tag): hit for hit in wanted.values()}
        added = await _insert_missing(customer_id, wanted, clock.now())
    if len(_applied) > _MAX_REMEMBERED:
        _applied.clear()
    _applied.update((customer_id, tid) for tid in wanted)
    return [wanted[tid].tag for tid in added]


async def _insert_missing(customer_id: int, wanted: dict[int, TagHit], now: datetime) -> list[int]:
    conn = connections.get("default")
    values: list[object] = []
    for tid, hit in wanted.items():
        values += [customer_id, tid, hit.source.value, now]
    rows = value_rows(len(wanted), 4, is_postgres(conn))
    sql = (
        f"INSERT INTO customer_tag (customer_id, tag_id, source, created_at) VALUES "
        f"{rows} ON CONFLICT (customer_id, tag_id) DO NOTHING RETURNING tag_id"
    )
    # Autocommit, outside any transaction (the pipeline tags in the background): a dead id's
    # failed INSERT leaves nothing to roll back, so no BEGIN / COMMIT round trips per insert.
    return [row["tag_id"] for row in await conn.execute_query_dict(sql, values)]


async def tag_by_staff(
    customer_id: int, name: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> bool:
    """Give the customer a tag by hand (source staff); False when it had the tag already."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("标签名应为 1 到 64 个字")
    async with transaction(conn) as tx:
        tag = await _named(tx, name)
        if await CustomerTag.exists(customer_id=customer_id, tag_id=tag.id, using_db=tx):
            return False
        await CustomerTag.create(
            using_db=tx, customer_id=customer_id, tag_id=tag.id, source=TagSource.STAFF
        )
    log.info("customer %s tagged %s by %s", customer_id, name, actor.label)
    return True


async def untag(
    customer_id: int, name: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> bool:
    """Take a tag off the customer, whatever gave it; False when it did not have it."""
    tag = await Tag.get_or_none(name=name, using_db=conn)
    if tag is None:
        return False
    removed = (
        await CustomerTag.filter(customer_id=customer_id, tag_id=tag.id).using_db(conn).delete()
    )
    _applied.discard((customer_id, tag.id))  # so a later message may tag it again
    if removed:
        log.info("customer %s untagged %s by %s", customer_id, name, actor.label)
    return bool(removed)


async def _named(tx: BaseDBAsyncClient, name: str) -> Tag:
    # not tag_id() (its cache could outlive a rolled-back tag) nor get_or_create (it opens
    # its transaction on the ambient connection, not on `tx`)
    tag = await Tag.get_or_none(name=name, using_db=tx)
    if tag is not None:
        return tag
    try:
        async with transaction(tx) as savepoint:
            return await Tag.create(using_db=savepoint, name=name)
    except IntegrityError:  # created at the same moment elsewhere
        return await Tag.get(name=name, using_db=tx)


def forget_cached() -> None:
    _tag_ids.clear()
    _applied.clear()
    _remembered_since[0] = time.monotonic()


class Counter(Protocol):
    """A shared counter with expiry (the store: Redis, or memory in embedded mode)."""

    async def incr(self, key: str, ttl: float | None = None) -> int: ...


@dataclass(frozen=True)
class MessageTagger:
    """What an inbound message says about its author, as tags.

    Negative messages are counted in the store per customer over a window that opens with
    the first one (unhappy.window_days), so the hot path never counts rows in the database.
    """

    settings: NlpSettings
    counter: Counter
    clock: Clock = SYSTEM_CLOCK

    async def tag(self, customer: Customer, analysis: Analysis) -> list[str]:
        hits = list(analysis.tags)
        if analysis.sentiment.label is SentimentLabel.NEGATIVE and await self._unhappy(customer):
            hits.append(TagHit(self.settings.unhappy.tag, TagSource.SENTIMENT))
        added = await apply(customer.id, hits, clock=self.clock)
        if added:
            log.info("customer %s tagged %s", customer.id, ", ".join(added))
        return added

    async def _unhappy(self, customer: Customer) -> bool:
        unhappy = self.settings.unhappy
        if (customer.id, await tag_id(unhappy.tag)) in _applied:
            return False  # already tagged
        window = timedelta(days=unhappy.window_days).total_seconds()
        negatives = await self.counter.incr(store_keys.negatives(customer.id), ttl=window)
        return is_unhappy(negatives, self.settings)
