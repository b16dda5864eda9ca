"""Finding and updating customers as WeChat identifies them (openid, external_userid).

Every write is an UPDATE of the fields it changes, decided by the database (a `WHERE` on the
old value), never by the `Customer` object passed in: with several processes, that object may
be a copy another process has since made wrong (an opt-out told 已为您退订 and never written,
issue 10). Whether a customer may be messaged is likewise decided in SQL (crm.segments), never
from a copy.

The copies themselves stay, briefly: reading the row on every message doubled the webhook's
CPU per message (bench/webhook.py (d): 199 -> 388 us; the ORM look-up alone costs ~160 us), so
each process keeps a customer for `CACHE_SECONDS` as who they are (id, openid, a name for the
greeting), never as what they agreed to.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from crm.actors import Actor
from crm.clock import utcnow
from crm.errors import NotFound
from crm.models import Channel, Customer

CACHE_SECONDS = 30.0


class CustomerCache:
    """A bounded LRU of customers by WeChat id whose entries expire, so a chat does not cost a
    query a message and another process's change (a new name, a merge) shows within seconds."""

    def __init__(self, size: int = 50_000, ttl: float = CACHE_SECONDS) -> None:
        self._size, self._ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, Customer]] = OrderedDict()

    def get(self, key: str) -> Customer | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return entry[1]

    def put(self, key: str, customer: Customer) -> None:
        self._items[key] = (time.monotonic() + self._ttl, customer)
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


cache = CustomerCache()


async def for_openid(openid: str) -> Customer:
    """The Official Account follower with this openid, created on first contact."""
    return await _cached(f"oa:{openid}", {"openid": openid}, Channel.OA)


async def for_external_contact(external_userid: str) -> Customer:
    """The WeCom external contact with this id, created on first contact."""
    return await _cached(
        f"wecom:{external_userid}", {"external_userid": external_userid}, Channel.WECOM
    )


async def _cached(key: str, ident: dict[str, Any], channel: Channel) -> Customer:
    customer = cache.get(key)
    if customer is None:
        customer = await _get_or_create(ident, channel)
        cache.put(key, customer)
    return customer


async def _get_or_create(ident: dict[str, Any], channel: Channel) -> Customer:
    customer = await Customer.get_or_none(**ident)
    if customer is not None:
        return await _survivor(customer)
    try:
        return await Customer.create(**ident, source_channel=channel)
    except IntegrityError:  # another request created it first
        return await Customer.get(**ident)


async def _survivor(customer: Customer) -> Customer:
    """A record merged into another stands for the survivor (merges can chain)."""
    into: int | None = customer.merged_into_id  # type: ignore[attr-defined]
    if into is None:
        return customer
    return await Customer.get(id=await survivor_id(into))


async def survivor_id(
    customer_id: int, conn: BaseDBAsyncClient | None = None, *, lock: bool = False
) -> int:
    """The live record a customer id stands for: itself, or the record it was merged into
    (following chains). Every write that names a customer goes through this, so orders and
    points sent to a merged-away id count for the person. NotFound if there is no such id.

    `lock=True` inside the write's transaction `conn`: each record on the way is read under its
    row lock (PostgreSQL FOR UPDATE; on SQLite the transaction already holds the write lock), so
    a merge committing meanwhile is waited for and seen, never written past."""
    seen = {customer_id}
    while True:
        into = await _merged_into(customer_id, conn, lock)
        if into is None or into in seen:
            return customer_id
        seen.add(into)
        customer_id = into


async def _merged_into(customer_id: int, conn: BaseDBAsyncClient | None, lock: bool) -> int | None:
    qs = Customer.filter(id=customer_id).using_db(conn)
    customer = await (qs.select_for_update() if lock else qs).only("id", "merged_into_id").first()
    if customer is None:
        raise NotFound(f"客户 {customer_id} 不存在")
    return customer.merged_into_id  # type: ignore[attr-defined]


async def subscribe(
    customer: Customer, scene: str | None, at: datetime | None = None, *, actor: Actor
) -> None:
    """The customer followed the account (again); the first source (QR scene) stays."""
    now = at or utcnow()
    await Customer.filter(id=customer.id).update(
        subscribed=True, subscribed_at=now, unsubscribed_at=None, updated_at=now
    )
    if scene:
        await _keep_first_source(customer.id, scene)


async def unsubscribe(customer: Customer, at: datetime | None = None, *, actor: Actor) -> None:
    now = at or utcnow()
    await Customer.filter(id=customer.id).update(
        subscribed=False, unsubscribed_at=now, updated_at=now
    )


async def opt_out(customer: Customer, actor: Actor, at: datetime | None = None) -> bool:
    """Stop marketing messages; False when the database already had the customer opted out
    (the first opt-out's time stays)."""
    now = at or utcnow()
    changed = await Customer.filter(id=customer.id, opted_out=False).update(
        opted_out=True, opted_out_at=now, updated_at=now
    )
    return changed > 0


async def opt_in(customer: Customer, actor: Actor, at: datetime | None = None) -> bool:
    """Marketing messages again; False when the database had the customer opted in already."""
    now = at or utcnow()
    changed = await Customer.filter(id=customer.id, opted_out=True).update(
        opted_out=False, opted_out_at=None, updated_at=now
    )
    return changed > 0


async def follow_by_staff(
    external_userid: str, staff_userid: str, state: str | None, *, actor: Actor
) -> Customer:
    """A staff member added (or edited) this external contact: record who follows them."""
    customer = await for_external_contact(external_userid)
    await Customer.filter(id=customer.id).update(follow_user=staff_userid, updated_at=utcnow())
    customer.follow_user = staff_userid
    if state:
        await _keep_first_source(customer.id, state)
    return customer


async def unfollow_by_staff(external_userid: str, staff_userid: str, *, actor: Actor) -> Customer:
    """The contact was removed (by staff or by the customer); keep the record, drop the link
    if it is still this staff member's (another may have added the contact since)."""
    customer = await for_external_contact(external_userid)
    if await Customer.filter(id=customer.id, follow_user=staff_userid).update(
        follow_user=None, updated_at=utcnow()
    ):
        customer.follow_user = None
    return customer


async def _keep_first_source(customer_id: int, detail: str) -> None:
    """Where the customer came from (QR scene, 联系我 state), unless the record has one."""
    no_source = Q(source_detail__isnull=True) | Q(source_detail="")
    await Customer.filter(no_source, id=customer_id).update(source_detail=detail[:64])
