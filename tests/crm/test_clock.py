"""One injected clock: tests move a FrozenClock and the services, the journal and the database
follow it. The clock starts years away from the real date, so any code path that reads the
system time instead of the injected clock gets these answers wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from crm.actors import SYSTEM
from crm.clock import SYSTEM_CLOCK, FrozenClock, SystemClock, utcnow
from crm.config import CrmSettings, LifecycleSettings, PointsSettings
from crm.importing import import_customers, import_orders
from crm.interactions import InteractionJournal, NewInteraction
from crm.lifecycle import recompute_lifecycle
from crm.models import (
    Customer,
    CustomerTag,
    Direction,
    LifecycleChange,
    LifecycleStage,
    Order,
    RfmScore,
    Segment,
    Tag,
)
from crm.nightly import run_nightly
from crm.orders import OrderInput, record_order
from crm.points import earn, expire_due, points_summary
from crm.segments import context, rule_members
from crm.segments.service import create_segment, snapshot
from scheduler.config import SchedulerSettings
from scheduler.service import SchedulerService
from tests.crm.conftest import MakeCustomer

START = datetime(2031, 3, 1, 4, 0, tzinfo=UTC)
WITHIN_A_WEEK = {"field": "last_active", "op": "within_days", "value": 7}


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2031, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=8))))
    assert clock.now() == START and clock.now().tzinfo is UTC
    clock.advance(30, days=1)
    assert clock.now() == START + timedelta(days=1, seconds=30)
    assert clock.monotonic() == 86_430
    clock.set(START)  # back: the wall clock is corrected, monotonic time never goes back
    assert clock.now() == START and clock.monotonic() == 86_430
    clock.set(START + timedelta(hours=1))
    assert clock.monotonic() == 86_430 + 3600
    assert utcnow(clock) == START + timedelta(hours=1)


def test_the_system_clock_is_aware_utc() -> None:
    assert isinstance(SYSTEM_CLOCK, SystemClock)
    now = utcnow()
    assert now.tzinfo is UTC and abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    assert SYSTEM_CLOCK.monotonic() <= SYSTEM_CLOCK.monotonic()


async def test_points_expire_once_their_date_has_passed(make_customer: MakeCustomer) -> None:
    clock = FrozenClock(START)
    c = await make_customer()
    await earn(
        c.id, 100, "order:1", clock=clock, settings=PointsSettings(validity_days=30), actor=SYSTEM
    )
    await earn(
        c.id, 50, "order:2", clock=clock, settings=PointsSettings(validity_days=60), actor=SYSTEM
    )
    clock.advance(days=29)
    assert await expire_due(clock=clock, actor=SYSTEM) == 0
    summary = await points_summary(c.id, clock=clock)
    assert (summary.balance, summary.expiring_amount) == (150, 100)
    assert summary.expiring_at == START + timedelta(days=30)
    clock.advance(days=1, seconds=1)
    summary = await points_summary(c.id, clock=clock)  # past its date, not yet swept
    assert (summary.expiring_amount, summary.expiring_at) == (50, START + timedelta(days=60))
    assert await expire_due(clock=clock, actor=SYSTEM) == 1
    assert (await points_summary(c.id, clock=clock)).balance == 50
    clock.advance(days=30)
    assert await expire_due(clock=clock, actor=SYSTEM) == 1
    summary = await points_summary(c.id, clock=clock)
    assert (summary.balance, summary.expiring_amount, summary.expiring_at) == (0, 0, None)


async def test_lifecycle_stage_follows_the_days_without_activity(
    make_customer: MakeCustomer,
) -> None:
    clock = FrozenClock(START)
    settings = LifecycleSettings(new_days=30, at_risk_days=45, churned_days=180)
    c = await make_customer(last_active_at=START)
    await record_order(OrderInput(external_id="L1", customer_id=c.id, amount=Decimal("50"),
                                  paid_at=START - timedelta(days=40)), actor=SYSTEM)  # fmt: skip

    async def stage() -> LifecycleStage:
        await recompute_lifecycle(settings, clock=clock)
        return (await Customer.get(id=c.id)).lifecycle_stage

    assert await stage() == LifecycleStage.ACTIVE
    clock.advance(days=44)
    assert await stage() == LifecycleStage.ACTIVE
    clock.advance(days=2)
    assert await stage() == LifecycleStage.AT_RISK
    assert await CustomerTag.exists(customer_id=c.id, tag__name=settings.at_risk_tag)
    warned = await LifecycleChange.get(customer_id=c.id, to_stage=LifecycleStage.AT_RISK)
    assert warned.changed_at == START + timedelta(days=46)
    clock.advance(days=180)
    assert await stage() == LifecycleStage.CHURNED


async def test_last_active_within_a_week_flips_as_the_clock_moves(
    make_customer: MakeCustomer,
) -> None:
    clock = FrozenClock(START)
    c = await make_customer()
    journal = InteractionJournal()
    message = NewInteraction("oa", Direction.IN, "text", c.id, content="在吗", msg_id="m1",
                             dedupe_key="msg:m1", created_at=clock.now())  # fmt: skip
    assert await journal.record(message)
    assert (await Customer.get(id=c.id)).last_active_at == START

    async def members() -> list[int]:
        return await rule_members(WITHIN_A_WEEK, context(clock=clock)).ids()

    assert await members() == [c.id]
    clock.advance(days=7)
    assert await members() == [c.id]
    clock.advance(seconds=1)
    assert await members() == []
    segment = await create_segment("上周活跃", WITHIN_A_WEEK, actor=SYSTEM)
    clock.set(START + timedelta(days=3))
    assert await snapshot(segment, context(clock=clock), actor=SYSTEM) == 1
    assert (await Segment.get(id=segment.id)).snapshot_at == clock.now()


async def test_the_nightly_job_runs_at_one_instant_of_its_clock(
    make_customer: MakeCustomer,
) -> None:
    clock = FrozenClock(START)
    c = await make_customer(last_active_at=START)
    await record_order(OrderInput(external_id="N1", customer_id=c.id, amount=Decimal("20"),
                                  paid_at=START), actor=SYSTEM)  # fmt: skip
    await earn(
        c.id, 10, "n:1", clock=clock, settings=PointsSettings(validity_days=30), actor=SYSTEM
    )
    clock.advance(days=31)
    report = await run_nightly(CrmSettings(), clock=clock, actor=SYSTEM)
    assert report.points_expired == 1 and report.lifecycle.changed == 1
    assert (await RfmScore.get(customer_id=c.id)).scored_at == clock.now()
    assert (await LifecycleChange.get(customer_id=c.id)).changed_at == clock.now()


async def test_imports_stamp_rows_with_the_injected_clock(
    database_url: str, tmp_path: Path
) -> None:
    clock = FrozenClock(START)
    people = tmp_path / "customers.csv"
    people.write_text("openid,name,tags\no1,王小明,vip\n", encoding="utf-8")
    await import_customers(people, clock=clock, actor=SYSTEM)
    c = await Customer.get(openid="o1")
    assert c.created_at == START and c.updated_at == START
    assert (await CustomerTag.get(customer_id=c.id)).created_at == START
    assert (await Tag.get(name="vip")).created_at == START
    clock.advance(days=1)
    people.write_text("openid,name\no1,王晓明\n", encoding="utf-8")
    await import_customers(people, clock=clock, actor=SYSTEM)
    assert (await Customer.get(id=c.id)).updated_at == START + timedelta(days=1)
    orders = tmp_path / "orders.csv"
    orders.write_text("external_id,openid,amount,paid_at\nA1,o1,10,2031-02-01 10:00:00\n")
    await import_orders(orders, clock=clock, actor=SYSTEM)
    assert (await Order.get(external_id="A1")).created_at == START + timedelta(days=1)


async def test_the_scheduler_runs_the_nightly_job_on_its_clock() -> None:
    clock = FrozenClock(START)
    service = SchedulerService(SchedulerSettings(), CrmSettings(), "Asia/Shanghai", clock=clock)
    await service.start()
    try:
        assert service.scheduler is not None
        assert service.scheduler.get_job("nightly").kwargs == {"clock": clock}
    finally:
        await service.stop()
