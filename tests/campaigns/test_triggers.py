"""A points earn at or above a campaign's threshold gives one delivery in that day's event run."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from crm import points
from crm.actors import SYSTEM
from crm.campaigns import triggers
from crm.campaigns.runs import finish_runs
from crm.clock import FrozenClock
from crm.models import (
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    CampaignStatus,
    DeliveryStatus,
    PointsEntry,
    RunStatus,
)
from tests.campaigns.outbox_support import NOW, campaign, customer


async def _earn(customer_id: int, amount: int, ref: str, clock: FrozenClock) -> PointsEntry:
    entry = await points.earn(customer_id, amount, ref, clock=clock, actor=SYSTEM)
    await triggers.drain()
    return entry


async def test_earn_above_threshold_one_delivery_per_day(database_url: str) -> None:
    big, small = await customer(), await customer()
    c = await campaign(CampaignKind.POINTS, options={"earn_threshold": 500, "coupon": True})
    paused = await campaign(
        CampaignKind.POINTS, options={"earn_threshold": 1}, status=CampaignStatus.PAUSED
    )
    clock = FrozenClock(NOW)
    await _earn(big.id, 500, "o1", clock)
    await _earn(big.id, 800, "o2", clock)  # same local day: still one
    await _earn(small.id, 499, "o3", clock)
    run = await CampaignRun.get(campaign_id=c.id)
    assert (run.run_key, run.status, run.targeted) == ("event:2026-11-23", RunStatus.SENDING, 1)
    delivery = await CampaignDelivery.get(run_id=run.id)
    assert (delivery.customer_id, delivery.status) == (big.id, DeliveryStatus.PENDING)
    assert delivery.coupon_code
    assert await CampaignRun.filter(campaign_id=paused.id).count() == 0
    await CampaignDelivery.filter(id=delivery.id).update(status=DeliveryStatus.SENT)
    assert await finish_runs(clock=clock) == 1
    clock.advance(hours=12)  # 00:00 on the 24th in Shanghai: a new event run
    await _earn(big.id, 600, "o4", clock)
    assert await CampaignRun.filter(campaign_id=c.id).count() == 2


async def test_a_finished_event_run_is_sending_again_after_a_new_earn(database_url: str) -> None:
    a, b = await customer(), await customer()
    c = await campaign(CampaignKind.POINTS, options={"earn_threshold": 10}, frequency_exempt=True)
    clock = FrozenClock(NOW)
    await _earn(a.id, 10, "a1", clock)
    await CampaignDelivery.filter(customer_id=a.id).update(status=DeliveryStatus.SENT)
    await finish_runs(clock=clock)
    await _earn(b.id, 10, "b1", clock)
    run = await CampaignRun.get(campaign_id=c.id)
    assert (run.status, run.targeted, run.finished_at) == (RunStatus.SENDING, 2, None)


async def test_segment_cap_and_quiet_hours_apply(database_url: str) -> None:
    vip, other = await customer(city="上海"), await customer(city="北京")
    rule = {"field": "city", "value": "上海"}
    await campaign(
        CampaignKind.POINTS, options={"earn_threshold": 10}, rule=rule,
        quiet_start="22:00", quiet_end="08:00",
    )  # fmt: skip
    clock = FrozenClock(NOW + timedelta(hours=11))  # 23:00 in Shanghai
    await _earn(vip.id, 50, "v1", clock)
    await _earn(other.id, 50, "x1", clock)
    delivery = await CampaignDelivery.get(customer_id=vip.id)
    assert delivery.due_at == NOW + timedelta(hours=20)  # 08:00 next morning
    assert not await CampaignDelivery.filter(customer_id=other.id).exists()


async def test_a_failing_trigger_never_fails_the_earn(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    someone = await customer()
    await campaign(
        CampaignKind.POINTS, options={"earn_threshold": 1}, rule={"field": "no such field"}
    )
    with caplog.at_level(logging.ERROR, logger="siyu.campaigns"):
        entry = await _earn(someone.id, 5, "f1", FrozenClock(NOW))
    assert entry.amount == 5 and (await PointsEntry.filter(reference="f1").count()) == 1
    assert "points trigger failed" in caplog.text
    assert await CampaignDelivery.all().count() == 0
