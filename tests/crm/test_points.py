from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.config import PointsSettings
from crm.errors import Conflict, InsufficientPoints, InvalidInput, NotFound
from crm.models import Customer, PointsEntry, PointsKind
from crm.points import (
    adjust,
    describe,
    earn,
    expire_due,
    ledger_balance,
    points_summary,
    redeem,
)
from tests.crm.conftest import NOW, MakeCustomer


async def balance(customer_id: int) -> int:
    return (await Customer.get(id=customer_id)).points_balance


async def test_earn_and_redeem_keep_the_cached_balance_equal_to_the_ledger(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    await redeem(c.id, 30, "gift:1", clock=clock, actor=SYSTEM)
    await adjust(c.id, -20, "staff:fix:1", note="补录", clock=clock, actor=SYSTEM)
    assert await balance(c.id) == 50 == await ledger_balance(c.id)


async def test_each_reference_is_applied_once(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    first = await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    again = await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    assert again.id == first.id
    assert await balance(c.id) == 100
    with pytest.raises(Conflict):
        await earn(c.id, 999, "order:1", clock=clock, actor=SYSTEM)


async def test_redeem_over_balance_fails_and_changes_nothing(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    await earn(c.id, 50, "order:1", clock=clock, actor=SYSTEM)
    with pytest.raises(InsufficientPoints, match="积分不足"):
        await redeem(c.id, 51, "gift:1", clock=clock, actor=SYSTEM)
    assert await balance(c.id) == 50
    assert not await PointsEntry.exists(reference="gift:1")


async def test_two_concurrent_redeems_cannot_both_pass(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    results = await asyncio.gather(
        redeem(c.id, 70, "gift:a", clock=clock, actor=SYSTEM),
        redeem(c.id, 70, "gift:b", clock=clock, actor=SYSTEM),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, InsufficientPoints)]
    assert len(failures) == 1
    assert await balance(c.id) == 30 == await ledger_balance(c.id)


async def test_many_concurrent_redeems_never_go_negative(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    results = await asyncio.gather(
        *[redeem(c.id, 15, f"gift:{i}", clock=clock, actor=SYSTEM) for i in range(10)],
        return_exceptions=True,
    )
    passed = [r for r in results if isinstance(r, PointsEntry)]
    assert len(passed) == 6
    assert await balance(c.id) == 10 == await ledger_balance(c.id)


async def test_redeem_spends_the_oldest_credit_first_and_expiry_takes_the_rest(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    settings = PointsSettings(validity_days=30)
    old = await earn(c.id, 100, "order:1", clock=clock, settings=settings, actor=SYSTEM)
    clock.advance(days=10)
    new = await earn(c.id, 100, "order:2", clock=clock, settings=settings, actor=SYSTEM)
    clock.advance(days=1)
    await redeem(c.id, 120, "gift:1", clock=clock, actor=SYSTEM)
    assert (await PointsEntry.get(id=old.id)).remaining == 0
    assert (await PointsEntry.get(id=new.id)).remaining == 80
    clock.set(NOW + timedelta(days=35))
    assert await expire_due(clock=clock, actor=SYSTEM) == 0
    clock.set(NOW + timedelta(days=41))
    assert await expire_due(clock=clock, actor=SYSTEM) == 1
    assert await expire_due(clock=clock, actor=SYSTEM) == 0
    assert await balance(c.id) == 0 == await ledger_balance(c.id)
    expired = await PointsEntry.get(kind=PointsKind.EXPIRE)
    assert expired.amount == -80


async def test_points_summary_shows_the_soonest_expiring_points(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    await earn(
        c.id, 40, "order:1", clock=clock, settings=PointsSettings(validity_days=10), actor=SYSTEM
    )
    await earn(
        c.id, 60, "order:2", clock=clock, settings=PointsSettings(validity_days=100), actor=SYSTEM
    )
    summary = await points_summary(c.id, clock=clock)
    assert summary.balance == 100
    assert summary.expiring_amount == 40
    assert summary.expiring_at == NOW + timedelta(days=10)


async def test_points_summary_without_points(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    summary = await points_summary(c.id, clock=clock)
    assert (summary.balance, summary.expiring_amount, summary.expiring_at) == (0, 0, None)


async def test_bad_amounts_and_unknown_customers(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    with pytest.raises(InvalidInput):
        await earn(c.id, 0, "x", actor=SYSTEM)
    with pytest.raises(InvalidInput):
        await redeem(c.id, -5, "y", actor=SYSTEM)
    with pytest.raises(NotFound):
        await earn(c.id + 1000, 10, "z", actor=SYSTEM)
    with pytest.raises(NotFound):
        await points_summary(c.id + 1000)


def test_describe_speaks_to_the_customer() -> None:
    from datetime import UTC, datetime

    from crm.points import PointsSummary, describe

    expiring = PointsSummary(1200, 300, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert describe(expiring) == (
        "您当前的积分余额为 1,200 分。其中 300 分将于 2027年1月1日 到期，记得及时使用哦～"
    )
    assert "欢迎常来" in describe(PointsSummary(0, 0, None))


async def test_points_past_their_date_cannot_be_redeemed_before_the_expiry_job_runs(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    settings = PointsSettings(validity_days=30)
    await earn(c.id, 100, "order:1", clock=clock, settings=settings, actor=SYSTEM)
    clock.advance(days=31)
    with pytest.raises(InsufficientPoints, match="积分不足"):
        await redeem(c.id, 50, "gift:1", clock=clock, actor=SYSTEM)
    before = await points_summary(c.id, clock=clock)
    assert (before.balance, before.expiring_amount, before.expiring_at) == (0, 0, None)
    assert await expire_due(clock=clock, actor=SYSTEM) == 1
    assert await points_summary(c.id, clock=clock) == before
    assert await balance(c.id) == 0 == await ledger_balance(c.id)
    assert not await PointsEntry.exists(reference="gift:1")


async def test_a_redeem_spends_only_credits_still_valid_and_the_job_expires_the_rest(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    short = await earn(
        c.id, 100, "order:1", clock=clock, settings=PointsSettings(validity_days=10), actor=SYSTEM
    )
    long = await earn(
        c.id, 100, "order:2", clock=clock, settings=PointsSettings(validity_days=100), actor=SYSTEM
    )
    clock.advance(days=11)
    assert (await points_summary(c.id, clock=clock)).balance == 100
    await redeem(c.id, 60, "gift:1", clock=clock, actor=SYSTEM)
    assert (await PointsEntry.get(id=short.id)).remaining == 100
    assert (await PointsEntry.get(id=long.id)).remaining == 40
    with pytest.raises(InsufficientPoints):
        await redeem(c.id, 41, "gift:2", clock=clock, actor=SYSTEM)
    assert await expire_due(clock=clock, actor=SYSTEM) == 1
    assert (await PointsEntry.get(kind=PointsKind.EXPIRE)).amount == -100
    assert (await points_summary(c.id, clock=clock)).balance == 40
    assert await balance(c.id) == 40 == await ledger_balance(c.id)


async def test_points_summary_counts_everything_expiring_on_the_named_local_day(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    settings = PointsSettings(validity_days=30)
    # Shanghai times: 24 Nov 00:30 and 23:30 (different UTC days), then 25 Nov 00:30.
    for amount, earned_at in (
        (40, datetime(2026, 11, 23, 16, 30, tzinfo=UTC)),
        (60, datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),
        (25, datetime(2026, 11, 24, 16, 30, tzinfo=UTC)),
    ):
        clock.set(earned_at)
        await earn(c.id, amount, f"order:{amount}", clock=clock, settings=settings, actor=SYSTEM)
    summary = await points_summary(c.id, clock=clock)
    assert (summary.balance, summary.expiring_amount) == (125, 100)
    assert summary.expiring_at == datetime(2026, 12, 23, 16, 30, tzinfo=UTC)
    assert "其中 100 分将于 2026年12月24日 到期" in describe(summary)
    in_utc = await points_summary(c.id, clock=clock, timezone="UTC")
    assert in_utc.expiring_amount == 40
    assert "其中 40 分将于 2026年12月23日 到期" in describe(in_utc, "UTC")


async def test_fifo_spends_the_soonest_expiring_credit_first_not_the_oldest(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer()
    year = await earn(c.id, 100, "order:1", clock=clock, actor=SYSTEM)
    clock.advance(days=1)
    short = PointsSettings(validity_days=30)
    month = await earn(c.id, 50, "promo:1", clock=clock, settings=short, actor=SYSTEM)
    await redeem(c.id, 60, "gift:1", clock=clock, actor=SYSTEM)
    assert (await PointsEntry.get(id=month.id)).remaining == 0
    assert (await PointsEntry.get(id=year.id)).remaining == 90
