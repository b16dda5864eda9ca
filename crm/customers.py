"""Finding and updating customers as WeChat identifies them (openid, external_userid)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from crm.clock import utcnow
from crm.models import Channel, Customer


class CustomerCache:
    """A bounded LRU of customers by WeChat id, so a chat does not cost a query a message.

    Entries are refreshed by every change made through this module; another process's
    change shows up when the entry is evicted or the process restarts.
    """

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._items: OrderedDict[str, Customer] = OrderedDict()

    def get(self, key: str) -> Customer | None:
        customer = self._items.get(key)
        if customer is not None:
            self._items.move_to_end(key)
        return customer

    def put(self, key: str, customer: Customer) -> None:
        self._items[key] = customer
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
    seen = {customer.id}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:  # type: ignore[attr-defined]
        seen.add(customer.merged_into_id)  # type: ignore[attr-defined]
        customer = await Customer.get(id=customer.merged_into_id)  # type: ignore[attr-defined]
    return customer


async def subscribe(customer: Customer, scene: str | None, at: datetime | None = None) -> None:
    customer.subscribed = True
    customer.subscribed_at = at or utcnow()
    customer.unsubscribed_at = None
    fields = ["subscribed", "subscribed_at", "unsubscribed_at", "updated_at"]
    if scene and not customer.source_detail:
        customer.source_detail = scene[:64]
        fields.append("source_detail")
    await customer.save(update_fields=fields)


async def unsubscribe(customer: Customer, at: datetime | None = None) -> None:
    customer.subscribed = False
    customer.unsubscribed_at = at or utcnow()
    await customer.save(update_fields=["subscribed", "unsubscribed_at", "updated_at"])


async def opt_out(customer: Customer) -> bool:
    """Stop marketing messages; False when the customer had already opted out."""
    if customer.opted_out:
        return False
    customer.opted_out = True
    customer.opted_out_at = utcnow()
    await customer.save(update_fields=["opted_out", "opted_out_at", "updated_at"])
    return True


async def opt_in(customer: Customer) -> bool:
    if not customer.opted_out:
        return False
    customer.opted_out = False
    customer.opted_out_at = None
    await customer.save(update_fields=["opted_out", "opted_out_at", "updated_at"])
    return True


async def follow_by_staff(external_userid: str, staff_userid: str, state: str | None) -> Customer:
    """A staff member added (or edited) this external contact: record who follows them."""
    customer = await for_external_contact(external_userid)
    customer.follow_user = staff_userid
    fields = ["follow_user", "updated_at"]
    if state and not customer.source_detail:
        customer.source_detail = state[:64]
        fields.append("source_detail")
    await customer.save(update_fields=fields)
    return customer


async def unfollow_by_staff(external_userid: str, staff_userid: str) -> Customer:
    """The contact was removed (by staff or by the customer); keep the record, drop the link."""
    customer = await for_external_contact(external_userid)
    if customer.follow_user == staff_userid:
        customer.follow_user = None
        await customer.save(update_fields=["follow_user", "updated_at"])
    return customer
