"""Runs: idempotent by (campaign, run key), resumed after an interruption, concurrent starts
give one run with each customer once, dry runs, finishing, and no per-customer statements."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from crm.campaigns import coupons, outbox, runs
from crm.campaigns.runs import due_steps, finish_runs, start_run
from crm.clock import FrozenClock
from crm.config import CampaignSettings
from crm.errors import NotFound
from crm.models import (
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    Customer,
    DeliveryStatus,
    RunStatus,
)
from crm.sql import execute
from tests.campaigns.outbox_support import NOW, campaign, customer, outcomes

RUN_DATE = date(2026, 11, 23)


async def test_a_second_start_returns_the_same_run(database_url: str) -> None:
    people = [await customer() for _ in range(5)]
    c = await campaign()
    first = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    await customer()  # joins after the run was enqueued: not added by a re-call
    again = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert (first.created, again.created) == (True, False)
    assert first.run_id == again.run_id and first.targeted == again.targeted == 5
    assert set(await outcomes(first.run_id)) == {p.id for p in people}
    run = await CampaignRun.get(id=first.run_id)
    assert (run.run_key, run.status, run.enqueued_at) == ("2026-11-23", RunStatus.SENDING, NOW)


async def test_concurrent_starts_make_one_run_each_customer_once(database_url: str) -> None:
    for _ in range(300):
        await customer()
    c = await campaign()
    settings = CampaignSettings(enqueue_batch=1000)
    started = await asyncio.gather(
        *(start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW), settings=settings)
          for _ in range(3))
    )  # fmt: skip
    assert len({o.run_id for o in started}) == 1
    assert sum(o.created for o in started) == 1
    assert await CampaignRun.filter(campaign_id=c.id).count() == 1
    assert await CampaignDelivery.filter(campaign_id=c.id).count() == 300
    assert (await CampaignRun.get(id=started[0].run_id)).targeted == 300


async def test_an_interrupted_enqueue_is_resumed_without_duplicates(database_url: str) -> None:
    people = [await customer() for _ in range(10)]
    c = await campaign()
    run, _ = await runs.run_row(c, "2026-11-23", RUN_DATE, 1, False, NOW)
    targets = outbox.Query('SELECT "id" FROM "customer"')
    job = runs.job(run, c, targets, NOW, CampaignSettings())
    await outbox.enqueue(job, CampaignSettings(), ids=(people[0].id, people[3].id))
    assert await CampaignDelivery.filter(run_id=run.id).count() == 4  # then the process died
    resumed = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW + timedelta(1)))
    assert (resumed.run_id, resumed.created, resumed.targeted) == (run.id, False, 10)
    assert await CampaignDelivery.filter(run_id=run.id).count() == 10


async def test_dry_run_has_its_own_key_and_is_never_sending(database_url: str) -> None:
    await customer()
    c = await campaign(options={"coupon": True})
    dry = await start_run(c.id, run_date=RUN_DATE, dry_run=True, clock=FrozenClock(NOW))
    run = await CampaignRun.get(id=dry.run_id)
    assert run.dry_run and run.status is RunStatus.DONE and run.run_key.startswith("dry:")
    assert await CampaignDelivery.filter(run_id=run.id, coupon_code__isnull=False).count() == 0
    real = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert real.created and real.run_id != dry.run_id


async def test_finish_runs_when_every_delivery_is_final(database_url: str) -> None:
    await customer()
    await customer()
    c = await campaign()
    outcome = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    first, second = await CampaignDelivery.filter(run_id=outcome.run_id).order_by("id")
    await CampaignDelivery.filter(id=first.id).update(status=DeliveryStatus.SENT)
    await CampaignDelivery.filter(id=second.id).update(status=DeliveryStatus.WAITING)
    assert await finish_runs(clock=FrozenClock(NOW)) == 0
    await CampaignDelivery.filter(id=second.id).update(status=DeliveryStatus.FAILED)
    later = NOW + timedelta(minutes=5)
    assert await finish_runs(clock=FrozenClock(later)) == 1
    run = await CampaignRun.get(id=outcome.run_id)
    assert (run.status, run.finished_at) == (RunStatus.DONE, later)
    assert await finish_runs(clock=FrozenClock(later)) == 0


async def test_due_steps_per_kind(database_url: str) -> None:
    clock = FrozenClock(NOW)
    winback = await campaign(CampaignKind.WINBACK, options={"second_text": "再见"})
    single = await campaign(CampaignKind.WINBACK)
    event = await campaign(CampaignKind.POINTS, options={"earn_threshold": 100})
    birthday = await campaign(CampaignKind.BIRTHDAY)
    assert await due_steps(winback, run_date=RUN_DATE, clock=clock) == [1, 2]
    assert await due_steps(single, run_date=RUN_DATE, clock=clock) == [1]
    assert await due_steps(event, run_date=RUN_DATE, clock=clock) == []
    assert await due_steps(birthday, run_date=RUN_DATE, clock=clock) == [1]


async def test_unknown_campaign(database_url: str) -> None:
    with pytest.raises(NotFound):
        await start_run(999, run_date=RUN_DATE, clock=FrozenClock(NOW))


async def _statements_for(customers: int, monkeypatch: pytest.MonkeyPatch) -> int:
    await execute('DELETE FROM "customer"')
    await execute(
        'INSERT INTO "customer" ("openid", "subscribed", "birthday_calendar", "birthday_leap", '
        '"gender", "source_channel", "opted_out", "attributes", "points_balance", "total_spent", '
        '"order_count", "lifecycle_stage", "created_at", "updated_at") '
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "SELECT 'o-shape-' || i, ?, 'solar', ?, 'unknown', 'oa', ?, '{}', 0, 0, 0, 'prospect', ?, ? "
        "FROM n",
        [customers, True, False, False, NOW, NOW],
    )
    assert await Customer.all().count() == customers
    counted: list[str] = []

    async def counting(sql: str, params: object = (), conn: object = None) -> int:
        counted.append(sql)
        return await execute(sql, params, conn)  # type: ignore[arg-type]

    monkeypatch.setattr(outbox, "execute", counting)
    monkeypatch.setattr(coupons, "execute", counting)
    c = await campaign(options={"coupon": True})
    outcome = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert outcome.targeted == customers
    return len(counted)


async def test_enqueue_is_set_based_not_per_customer(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as many statements for 20 customers as for 20,000: one INSERT … SELECT of deliveries
    # (their coupon codes included), one recording the coupons
    assert await _statements_for(20, monkeypatch) == await _statements_for(20_000, monkeypatch) == 2
    assert await CampaignDelivery.filter(status=DeliveryStatus.PENDING).count() == 20_000
    coded = CampaignDelivery.filter(coupon_code__isnull=False)
    assert len(set(await coded.values_list("coupon_code", flat=True))) == 20_000
