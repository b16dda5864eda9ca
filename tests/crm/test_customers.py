"""crm.customers decides from the database, never from the `Customer` object it is given: the
object may be a copy another process has since made wrong."""

from __future__ import annotations

from datetime import timedelta

from crm import customers
from crm.actors import Actor
from crm.models import Customer
from tests.crm.conftest import NOW, MakeCustomer

ME = Actor.system("test")


async def fresh(customer: Customer) -> Customer:
    return await Customer.get(id=customer.id)


async def test_opt_out_writes_although_the_copy_says_opted_out(
    make_customer: MakeCustomer,
) -> None:
    customer = await make_customer()
    stale = await fresh(customer)
    stale.opted_out = True  # what a process saw before the customer opted in elsewhere
    assert await customers.opt_out(stale, ME, at=NOW) is True
    row = await fresh(customer)
    assert (row.opted_out, row.opted_out_at) == (True, NOW)


async def test_opting_out_twice_keeps_the_first_time(make_customer: MakeCustomer) -> None:
    customer = await make_customer()
    assert await customers.opt_out(customer, ME, at=NOW) is True
    assert await customers.opt_out(customer, ME, at=NOW + timedelta(days=1)) is False
    assert (await fresh(customer)).opted_out_at == NOW


async def test_opt_in_writes_although_the_copy_says_opted_in(make_customer: MakeCustomer) -> None:
    customer = await make_customer(opted_out=True, opted_out_at=NOW)
    stale = await fresh(customer)
    stale.opted_out = False
    assert await customers.opt_in(stale, ME) is True
    row = await fresh(customer)
    assert (row.opted_out, row.opted_out_at) == (False, None)
    assert await customers.opt_in(row, ME) is False


def test_a_kept_customer_is_forgotten_after_its_time() -> None:
    kept = customers.CustomerCache(ttl=60)
    kept.put("oa:o_1", Customer(id=1, openid="o_1"))
    assert kept.get("oa:o_1") is not None
    gone = customers.CustomerCache(ttl=0)
    gone.put("oa:o_1", Customer(id=1, openid="o_1"))
    assert gone.get("oa:o_1") is None


async def test_subscribe_keeps_the_first_source_the_database_has(
    make_customer: MakeCustomer,
) -> None:
    customer = await make_customer()
    stale = await fresh(customer)  # no source yet in this copy
    await customers.subscribe(customer, "poster", at=NOW, actor=ME)
    await customers.unsubscribe(customer, at=NOW, actor=ME)
    await customers.subscribe(stale, "flyer", at=NOW + timedelta(hours=1), actor=ME)
    row = await fresh(customer)
    assert (row.subscribed, row.unsubscribed_at) == (True, None)
    assert (row.source_detail, row.subscribed_at) == ("poster", NOW + timedelta(hours=1))


async def test_unfollow_drops_only_the_current_follower(make_customer: MakeCustomer) -> None:
    await customers.follow_by_staff("wm_1", "zhangsan", "booth", actor=ME)
    await customers.follow_by_staff("wm_1", "lisi", "poster", actor=ME)  # lisi added them since
    await customers.unfollow_by_staff("wm_1", "zhangsan", actor=ME)  # zhangsan's late removal
    row = await Customer.get(external_userid="wm_1")
    assert (row.follow_user, row.source_detail) == ("lisi", "booth")
    await customers.unfollow_by_staff("wm_1", "lisi", actor=ME)
    assert (await Customer.get(external_userid="wm_1")).follow_user is None
