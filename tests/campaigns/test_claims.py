"""Claims: which deliveries a worker may take, leases, and outcome writes guarded by them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crm.campaigns import claims
from crm.clock import FrozenClock
from crm.models import CampaignDelivery, CampaignStatus, DeliveryStatus, SendChannel
from tests.campaigns.dispatch_support import campaign, customer, enqueue

pytestmark = pytest.mark.usefixtures("database_url")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


async def test_claim_returns_what_sending_needs(clock: FrozenClock) -> None:
    ann = await customer("ann", external_userid="wm-ann", follow_user="kefu1")
    await enqueue(await campaign(), clock)
    [got] = await claims.claim("w1", 10, lease_seconds=30, clock=clock)
    assert (got.customer_id, got.openid, got.external_userid, got.follow_user) == (
        ann.id, "o-ann", "wm-ann", "kefu1",
    )  # fmt: skip
    assert got.subscribed and not got.opted_out and got.step == 1
    row = await CampaignDelivery.get(id=got.id)
    assert row.claimed_by == "w1" and row.claim_expires_at == clock.now() + timedelta(seconds=30)


async def test_only_due_pending_unclaimed_live_deliveries(clock: FrozenClock) -> None:
    await customer("a")
    later = await campaign(name="later")
    await enqueue(later, clock, due_at=clock.now() + timedelta(minutes=5))
    await enqueue(await campaign(name="dry"), clock, dry_run=True)
    paused = await campaign(name="paused", status=CampaignStatus.PAUSED)
    await enqueue(paused, clock)
    assert await claims.claim("w1", 10, lease_seconds=30, clock=clock) == []
    clock.advance(minutes=5)
    [got] = await claims.claim("w1", 10, lease_seconds=30, clock=clock)
    assert got.campaign_id == later.id
    assert await claims.claim("w2", 10, lease_seconds=30, clock=clock) == []  # claimed


async def test_an_expired_claim_is_taken_over_and_the_old_worker_cannot_write(
    clock: FrozenClock,
) -> None:
    await customer("a")
    await enqueue(await campaign(), clock)
    [first] = await claims.claim("w1", 10, lease_seconds=30, clock=clock)
    clock.advance(31)
    [second] = await claims.claim("w2", 10, lease_seconds=30, clock=clock)
    assert second.id == first.id
    kw = {"channel": SendChannel.TEMPLATE, "msgid": "1", "content": "x", "clock": clock}
    assert not await claims.mark_sent(first.id, "w1", **kw)
    assert not await claims.skip(first.id, "w1", reason="opted_out", clock=clock)
    assert await claims.mark_sent(second.id, "w2", **kw)
    row = await CampaignDelivery.get(id=first.id)
    assert (row.status, row.claimed_by, row.wechat_msgid) == (DeliveryStatus.SENT, None, "1")
    assert not await claims.mark_failed(first.id, "w2", errcode=1, reason="late", clock=clock)


async def test_retry_later_releases_with_one_attempt_more(clock: FrozenClock) -> None:
    await customer("a")
    await enqueue(await campaign(), clock)
    [got] = await claims.claim("w1", 10, lease_seconds=30, clock=clock)
    due = clock.now() + timedelta(seconds=60)
    assert await claims.retry_later(got.id, "w1", due_at=due, errcode=-1, clock=clock)
    assert await claims.claim("w1", 10, lease_seconds=30, clock=clock) == []
    clock.advance(60)
    [again] = await claims.claim("w2", 10, lease_seconds=30, clock=clock)
    assert again.attempts == 1


async def test_opt_out_is_read_at_claim_time(clock: FrozenClock) -> None:
    ann = await customer("ann")
    await enqueue(await campaign(), clock)
    ann.opted_out = True
    await ann.save()
    [got] = await claims.claim("w1", 10, lease_seconds=30, clock=clock)
    assert got.opted_out


async def test_concurrent_claims_never_overlap(clock: FrozenClock) -> None:
    for index in range(60):
        await customer(f"c{index}")
    await enqueue(await campaign(), clock)
    batches = await asyncio.gather(
        *(claims.claim(f"w{i}", 7, lease_seconds=30, clock=clock) for i in range(10))
    )
    ids = [d.id for batch in batches for d in batch]
    assert len(ids) == len(set(ids)) == 60
