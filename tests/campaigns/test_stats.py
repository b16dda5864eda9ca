"""Per-run stats in SQL: counts by status, channel, code and reason; the effects after a send."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from crm.campaigns.stats import campaign_stats
from crm.errors import CampaignNotFound
from crm.models import Customer, Interaction, Order, PointsEntry, PointsKind
from crm.models.campaigns import (
    Campaign,
    CampaignDelivery,
    CampaignRun,
    DeliveryStatus,
    SendChannel,
)
from tests.campaigns.core_support import NOW, make_campaign

pytestmark = pytest.mark.usefixtures("database_url")
D = DeliveryStatus


async def run_of(campaign: Campaign, key: str, dry_run: bool = False) -> CampaignRun:
    return await CampaignRun.create(
        campaign=campaign, run_key=key, run_date=NOW.date(), started_at=NOW, dry_run=dry_run
    )


async def deliver(run: CampaignRun, status: DeliveryStatus, **fields: Any) -> Customer:
    customer = fields.pop("customer", None) or await Customer.create(
        openid=f"o-{await Customer.all().count()}"
    )
    if status is D.SENT:
        fields.setdefault("sent_at", NOW + timedelta(minutes=5))
    await CampaignDelivery.create(
        run=run, campaign_id=run.campaign_id, customer=customer, status=status,  # type: ignore[attr-defined]
        due_at=fields.pop("due_at", NOW), **fields,
    )  # fmt: skip
    return customer


async def test_counts_by_status_channel_code_and_reason() -> None:
    campaign = await make_campaign()
    run = await run_of(campaign, "2026-12-01")
    for channel in (
        SendChannel.CUSTOMER_SERVICE,
        SendChannel.CUSTOMER_SERVICE,
        SendChannel.TEMPLATE,
    ):
        await deliver(run, D.SENT, channel=channel)
    await deliver(run, D.FAILED, errcode=43004, reason="require subscribe")
    await deliver(run, D.FAILED, reason="template_undefined:nickname")
    await deliver(run, D.SKIPPED, reason="opted_out")
    await deliver(run, D.SKIPPED, reason="frequency_cap")
    await deliver(run, D.SKIPPED, reason="opted_out")
    await deliver(run, D.WAITING, channel=SendChannel.WECOM_TASK)
    await deliver(run, D.PENDING, due_at=NOW + timedelta(hours=12))  # quiet hours
    await deliver(run, D.PENDING)
    stats = (await campaign_stats(campaign.id)).as_json()
    assert {k: stats[k] for k in ("runs", "targeted", "sent", "failed", "skipped", "waiting",
                                  "pending", "deferred")} == {
        "runs": 1, "targeted": 11, "sent": 3, "failed": 2, "skipped": 3, "waiting": 1,
        "pending": 2, "deferred": 1,
    }  # fmt: skip
    assert stats["sent_by_channel"] == {"customer_service": 2, "template": 1}
    assert stats["failed_by_code"] == {"43004": 1, "template_undefined:nickname": 1}
    assert stats["skipped_by_reason"] == {"opted_out": 2, "frequency_cap": 1}


async def test_one_run_or_all_real_runs_and_never_dry_runs_unless_asked() -> None:
    campaign = await make_campaign()
    first, second = await run_of(campaign, "2026-12-01"), await run_of(campaign, "2026-12-02")
    dry = await run_of(campaign, "dry:1", dry_run=True)
    await deliver(first, D.SENT)
    await deliver(second, D.SENT)
    await deliver(second, D.SKIPPED, reason="unreachable")
    await deliver(dry, D.PENDING)
    overall = await campaign_stats(campaign.id)
    assert (overall.runs, overall.targeted, overall.sent) == (2, 3, 2)
    one = await campaign_stats(campaign.id, second.id)
    assert (one.run_id, one.targeted, one.skipped) == (second.id, 2, 1)
    assert (await campaign_stats(campaign.id, dry.id)).pending == 1
    with pytest.raises(CampaignNotFound):
        await campaign_stats(campaign.id, 999)


async def test_replies_opt_outs_redeems_and_orders_after_the_send() -> None:
    campaign = await make_campaign()
    run = await run_of(campaign, "2026-12-01")
    sent_at = NOW + timedelta(minutes=5)
    replied = await deliver(run, D.SENT)
    late = await deliver(run, D.SENT)
    before = await deliver(run, D.SENT)
    skipped = await deliver(run, D.SKIPPED, reason="opted_out")
    await inbound(replied, sent_at + timedelta(hours=71))
    await inbound(late, sent_at + timedelta(hours=73))
    await inbound(before, sent_at - timedelta(minutes=1))
    await inbound(skipped, sent_at + timedelta(hours=1))
    await Interaction.create(customer=before, channel="oa", direction="out", kind="push:text")
    await Customer.filter(id=late.id).update(
        opted_out=True, opted_out_at=sent_at + timedelta(hours=2)
    )
    await Customer.filter(id=before.id).update(
        opted_out=True, opted_out_at=sent_at + timedelta(hours=80)
    )
    for ref, customer, days in (("r1", replied, 6), ("r2", replied, 8), ("r3", late, 1)):
        entry = await PointsEntry.create(customer=customer, kind=PointsKind.REDEEM, amount=-40,
                                         reference=ref)  # fmt: skip
        await PointsEntry.filter(id=entry.id).update(created_at=sent_at + timedelta(days=days))
    for ref, customer, days in (("o1", replied, 2), ("o2", late, 3), ("o3", late, 9)):
        await Order.create(customer=customer, external_id=ref, amount=Decimal("99.00"),
                           paid_at=sent_at + timedelta(days=days))  # fmt: skip
    stats = await campaign_stats(campaign.id)
    assert (stats.replies_72h, stats.opt_outs_72h) == (1, 1)
    assert (stats.points_redeemed_7d, stats.orders_7d) == (80, 2)


async def inbound(customer: Customer, at: Any) -> None:
    message = await Interaction.create(customer=customer, channel="oa", direction="in", kind="text")
    await Interaction.filter(id=message.id).update(created_at=at)
