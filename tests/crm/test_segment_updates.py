"""Changing a saved segment: name, description and rule, as an actor, in the caller's
transaction when given one."""

from __future__ import annotations

import pytest

from crm.actors import Actor
from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import Role, Segment, SegmentKind
from crm.segments import count, create_segment, segment_queryset, update_segment
from crm.transactions import in_transaction
from tests.crm.conftest import MakeCustomer

STAFF = Actor.staff("li", Role.OPERATOR)
VIP = {"field": "tag", "value": "vip"}
RICH = {"field": "points_balance", "op": "gt", "value": 100}


async def test_rename_and_change_the_rule(make_customer: MakeCustomer) -> None:
    await make_customer(tags=("vip",))
    await make_customer(points_balance=500)
    segment = await create_segment("会员", VIP, actor=STAFF)
    updated = await update_segment(segment.id, name="高积分", rule=RICH, actor=STAFF)
    stored = await Segment.get(id=segment.id)
    assert (stored.name, stored.description) == ("高积分", None)
    assert stored.rule == updated.rule and stored.rule["field"] == "points_balance"
    assert await count(segment_queryset(stored)) == 1
    await update_segment(segment.id, description="积分大于 100", actor=STAFF)
    stored = await Segment.get(id=segment.id)
    assert (stored.name, stored.description) == ("高积分", "积分大于 100")


async def test_refusals_change_nothing(database_url: str) -> None:
    first = await create_segment("会员", VIP, actor=STAFF)
    await create_segment("高积分", RICH, kind=SegmentKind.STATIC, actor=STAFF)
    with pytest.raises(Conflict):
        await update_segment(first.id, name="高积分", actor=STAFF)
    with pytest.raises(InvalidInput):
        await update_segment(first.id, rule={"field": "nonsense"}, actor=STAFF)
    with pytest.raises(NotFound):
        await update_segment(999, name="无", actor=STAFF)
    assert (await Segment.get(id=first.id)).name == "会员"


async def test_an_update_rolls_back_with_the_callers_transaction(database_url: str) -> None:
    segment = await create_segment("会员", VIP, actor=STAFF)
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await update_segment(segment.id, name="改名", actor=STAFF, conn=conn)
            raise RuntimeError("the caller's next step failed")
    assert (await Segment.get(id=segment.id)).name == "会员"
