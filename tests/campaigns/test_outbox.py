"""The outbox's decisions: skip reasons, the frequency cap, quiet hours, opt-out after enqueue."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from crm.actors import SYSTEM
from crm.campaigns.claims import claim
from crm.campaigns.quiet_hours import next_allowed
from crm.campaigns.runs import start_run
from crm.clock import FrozenClock
from crm.config import CampaignSettings
from crm.customers import opt_out
from crm.models import CampaignDelivery, CampaignKind, CampaignRun, DeliveryStatus
from tests.campaigns.outbox_support import NOW, campaign, customer, outcomes

RUN_DATE = date(2026, 11, 23)


async def test_skip_reasons_each_recorded(database_url: str) -> None:
    follower = await customer()
    wecom_only = await customer(openid=None, external_userid="wm-1", follow_user="zhang")
    opted = await customer(opted_out=True)
    survivor = await customer()
    merged = await customer(merged_into_id=survivor.id)
    unfollowed = await customer(subscribed=False)
    nobody = await customer(openid=None)
    staff_gone = await customer(openid=None, external_userid="wm-2")  # no follow_user
    c = await campaign()
    run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert await outcomes(run.run_id) == {
        follower.id: ("pending", None),
        wecom_only.id: ("pending", None),
        survivor.id: ("pending", None),
        opted.id: ("skipped", "opted_out"),
        merged.id: ("skipped", "merged"),
        unfollowed.id: ("skipped", "unsubscribed"),
        nobody.id: ("skipped", "unreachable"),
        staff_gone.id: ("skipped", "unreachable"),
    }
    assert run.targeted == 8


async def _prior(customer_id: int, status: DeliveryStatus, at: datetime, marketing: bool) -> None:
    other = await campaign(frequency_exempt=not marketing)
    run = await CampaignRun.create(
        campaign=other, run_key=f"k{other.id}", run_date=RUN_DATE, started_at=at
    )
    sent_at = at if status is DeliveryStatus.SENT else None
    await CampaignDelivery.create(
        run=run, campaign_id=other.id, customer_id=customer_id, status=status,
        marketing=marketing, due_at=at, sent_at=sent_at,
    )  # fmt: skip


async def test_frequency_cap_across_marketing_campaigns(database_url: str) -> None:
    capped, old, failed, exempt_only, waiting = [await customer() for _ in range(5)]
    for status in (DeliveryStatus.SENT, DeliveryStatus.PENDING):
        await _prior(capped.id, status, NOW - timedelta(days=2), marketing=True)
    await _prior(old.id, DeliveryStatus.SENT, NOW - timedelta(days=1), marketing=True)
    await _prior(old.id, DeliveryStatus.SENT, NOW - timedelta(days=8), marketing=True)
    for status in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
        await _prior(failed.id, status, NOW - timedelta(days=1), marketing=True)
    for _ in range(3):
        await _prior(exempt_only.id, DeliveryStatus.SENT, NOW - timedelta(days=1), marketing=False)
    await _prior(waiting.id, DeliveryStatus.WAITING, NOW - timedelta(days=1), marketing=True)
    await _prior(waiting.id, DeliveryStatus.SENT, NOW - timedelta(days=6), marketing=True)
    c = await campaign()
    run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    result = await outcomes(run.run_id)
    assert result[capped.id] == ("skipped", "frequency_cap")
    assert result[waiting.id] == ("skipped", "frequency_cap")
    assert result[old.id] == result[failed.id] == result[exempt_only.id] == ("pending", None)
    # a frequency-exempt campaign (a service notice) is never capped
    notice = await campaign(frequency_exempt=True)
    exempt = await start_run(notice.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert (await outcomes(exempt.run_id))[capped.id] == ("pending", None)
    assert not (await CampaignDelivery.get(run_id=exempt.run_id, customer_id=capped.id)).marketing
    # a cap of 3 from config lets the customer with two through
    loose = await campaign()
    settings = CampaignSettings(frequency_cap=3)
    run3 = await start_run(loose.id, run_date=RUN_DATE, clock=FrozenClock(NOW), settings=settings)
    assert (await outcomes(run3.run_id))[capped.id] == ("pending", None)


SHANGHAI = timedelta(hours=8)


@pytest.mark.parametrize(
    ("local", "due_local"),
    [
        (datetime(2026, 11, 23, 23, 30), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 23, 22, 0), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 24, 7, 59), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 24, 8, 0), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 23, 21, 59), datetime(2026, 11, 23, 21, 59)),
    ],
)
def test_next_allowed_minute(local: datetime, due_local: datetime) -> None:
    now = (local - SHANGHAI).replace(tzinfo=UTC)
    due = next_allowed(now, "22:00", "08:00", "Asia/Shanghai")
    assert due == (due_local - SHANGHAI).replace(tzinfo=UTC)
    assert next_allowed(now, None, None, "Asia/Shanghai") == now


async def test_quiet_hours_defer_in_the_campaigns_timezone(database_url: str) -> None:
    someone = await customer()
    late = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai, 15:30 in London
    quiet = {"quiet_start": "22:00", "quiet_end": "08:00"}
    shanghai = await campaign(**quiet)
    london = await campaign(timezone="Europe/London", **quiet)
    none = await campaign(frequency_exempt=True)
    for c, due in (
        (shanghai, datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
        (london, late),
        (none, late),
    ):
        run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(late))
        delivery = await CampaignDelivery.get(run_id=run.run_id, customer_id=someone.id)
        assert (delivery.status, delivery.due_at) == (DeliveryStatus.PENDING, due)


async def test_opted_out_before_enqueue_is_skipped_after_it_never_claimed(
    database_url: str,
) -> None:
    early, late, stays = [await customer() for _ in range(3)]
    await opt_out(early, SYSTEM, at=NOW)
    c = await campaign(CampaignKind.HOLIDAY)
    run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert (await outcomes(run.run_id))[early.id] == ("skipped", "opted_out")
    assert (await outcomes(run.run_id))[late.id] == ("pending", None)
    await opt_out(late, SYSTEM, at=NOW)  # 退订 between enqueue and send
    claimed = await claim("w1", 100, lease_seconds=60, clock=FrozenClock(NOW))
    sendable = {d.customer_id for d in claimed if not d.opted_out}
    assert stays.id in sendable
    assert late.id not in sendable
    assert early.id not in {d.customer_id for d in claimed}


async def test_two_marketing_runs_enqueued_at_once_keep_the_cap(database_url: str) -> None:
    """Each enqueue counts the other's deliveries: they take turns, so nobody passes the cap."""
    customers = [await customer() for _ in range(200)]
    first, second = await campaign(), await campaign()
    settings = CampaignSettings(frequency_cap=1)
    runs = await asyncio.gather(
        *(start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW), settings=settings)
          for c in (first, second))
    )  # fmt: skip
    pending = await CampaignDelivery.filter(
        run_id__in=[r.run_id for r in runs], status=DeliveryStatus.PENDING
    ).values_list("customer_id", flat=True)
    assert sorted(pending) == sorted(c.id for c in customers)  # each exactly once
