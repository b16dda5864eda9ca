"""The caller's transaction (crm/transactions.py): a write service given `conn` runs every
statement on it, so the change commits with the caller's other writes (the audit row, later)
and rolls back with them.

Each service runs in a task with an empty context, so it cannot reach the caller's
transaction through Tortoise's ambient connection: only through the `conn` it was given."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from typing import Any

import pytest
from tortoise.models import Model

from crm import keyword_rules, points, tagging
from crm.actors import Actor
from crm.errors import InsufficientPoints
from crm.merge import merge_customers
from crm.models import (
    Customer,
    CustomerMerge,
    CustomerTag,
    KeywordRule,
    Order,
    PointsEntry,
    Role,
    Segment,
    SegmentKind,
    Tag,
)
from crm.orders import OrderInput, record_order
from crm.segments import create_segment
from crm.transactions import BaseDBAsyncClient, in_transaction
from tests.crm.conftest import NOW, MakeCustomer

ACTOR = Actor.staff("li", Role.OPERATOR)


class CallerFailed(Exception):
    pass


async def _with_only_conn(work: Coroutine[Any, Any, Any]) -> Any:
    task = asyncio.create_task(work, context=contextvars.Context())
    return await asyncio.wait_for(task, timeout=10)


Write = Callable[[BaseDBAsyncClient, Customer, Customer], Awaitable[Any]]


async def _points(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    await points.adjust(a.id, 50, "fix:1", actor=ACTOR, conn=conn)


async def _order(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    order = OrderInput(external_id="T1", customer_id=a.id, amount=Decimal("9.90"), paid_at=NOW)
    await record_order(order, actor=ACTOR, conn=conn)


async def _merge(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    await merge_customers(a.id, b.id, "staff", actor=ACTOR, conn=conn)


async def _segment(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    rule = {"field": "points_balance", "op": "gte", "value": 0}
    await create_segment("全部", rule, kind=SegmentKind.STATIC, actor=ACTOR, conn=conn)


async def _keyword_rule(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    await keyword_rules.add("小金瓶", "关注精华", actor=ACTOR, conn=conn)


async def _tag(conn: BaseDBAsyncClient, a: Customer, b: Customer) -> None:
    await tagging.tag_by_staff(a.id, "回头客", actor=ACTOR, conn=conn)


WRITES: dict[str, tuple[Write, type[Model]]] = {
    "tag": (_tag, CustomerTag),
    "points": (_points, PointsEntry),
    "order": (_order, Order),
    "merge": (_merge, CustomerMerge),
    "segment": (_segment, Segment),
    "keyword_rule": (_keyword_rule, KeywordRule),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_rolls_back_with_the_callers_transaction(
    make_customer: MakeCustomer, name: str
) -> None:
    write, model = WRITES[name]
    a, b = await make_customer(), await make_customer()
    with pytest.raises(CallerFailed):
        async with in_transaction() as conn:
            await _with_only_conn(write(conn, a, b))
            assert await model.all().count() == 1, "the change is visible inside the transaction"
            raise CallerFailed
    assert await model.all().count() == 0
    assert [c.points_balance for c in await Customer.all().order_by("id")] == [0, 0]
    assert await Customer.filter(merged_into_id__isnull=False).count() == 0


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_commits_with_the_callers_own_rows(
    make_customer: MakeCustomer, name: str
) -> None:
    write, model = WRITES[name]
    a, b = await make_customer(), await make_customer()
    async with in_transaction() as conn:
        await _with_only_conn(write(conn, a, b))
        await Tag.create(using_db=conn, name="audit-stand-in")  # the caller's own row
    assert await model.all().count() == 1
    assert await Tag.filter(name="audit-stand-in").count() == 1


async def test_a_refused_write_leaves_the_callers_transaction_usable(
    make_customer: MakeCustomer,
) -> None:
    a = await make_customer()
    async with in_transaction() as conn:
        with pytest.raises(InsufficientPoints):
            await _with_only_conn(points.redeem(a.id, 10, "gift:1", actor=ACTOR, conn=conn))
        await _with_only_conn(points.earn(a.id, 30, "order:1", actor=ACTOR, conn=conn))
    assert (await Customer.get(id=a.id)).points_balance == 30
