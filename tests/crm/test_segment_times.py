"""Segment times written with an offset select the same customers as the same instant in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.clock import FrozenClock
from crm.models import Interaction
from crm.segments import RuleContext, context, count, rule_members, rule_queryset
from tests.crm.conftest import NOW, MakeCustomer

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def ids(rule: dict[str, Any], ctx: RuleContext) -> set[int]:
    """The rule's customers by the customer query and by the id-only query, which must agree."""
    found = set(await rule_queryset(rule, ctx).values_list("id", flat=True))
    members = rule_members(rule, ctx)
    assert set(await members.ids()) == found
    assert await count(members) == len(found)
    return found


async def test_before_and_after_an_offset_time_compare_instants(
    make_customer: MakeCustomer,
) -> None:
    # 04:00 on 1 October in Shanghai, after Shanghai's midnight (2026-09-30T16:00Z).
    late = await make_customer(last_active_at=datetime(2026, 9, 30, 20, tzinfo=UTC))
    early = await make_customer(last_active_at=datetime(2026, 9, 30, 15, tzinfo=UTC))
    ctx = context(clock=FrozenClock(NOW))
    for midnight in ("2026-10-01T00:00:00+08:00", "2026-09-30T16:00:00Z"):
        before = {"field": "last_active", "op": "before", "value": midnight}
        after = {"field": "last_active", "op": "after", "value": midnight}
        assert await ids(before, ctx) == {early.id}, midnight
        assert await ids(after, ctx) == {late.id}, midnight


async def test_windows_from_an_offset_now_equal_the_utc_ones(make_customer: MakeCustomer) -> None:
    since = NOW - timedelta(days=30)
    inside = await make_customer(last_active_at=since + timedelta(hours=2))
    await make_customer(last_active_at=since - timedelta(hours=2))
    angry = await make_customer()
    calm = await make_customer()
    week_ago = NOW - timedelta(days=7)
    for customer, at in (
        (angry, week_ago + timedelta(hours=2)),
        (calm, week_ago - timedelta(hours=2)),
    ):
        row = await Interaction.create(
            customer=customer, channel="oa", direction="in", kind="text", sentiment_label="negative"
        )
        await Interaction.filter(id=row.id).update(created_at=at)
    within = {"field": "last_active", "op": "within_days", "value": 30}
    negative = {"field": "negative_messages", "days": 7}
    utc = context(clock=FrozenClock(NOW))
    shanghai = RuleContext(now=NOW.astimezone(SHANGHAI), dialect=utc.dialect)
    for ctx in (utc, shanghai):
        assert await ids(within, ctx) == {inside.id}, ctx.now
        assert await ids(negative, ctx) == {angry.id}, ctx.now
