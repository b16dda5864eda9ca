"""Event-triggered points campaigns: an earn of at least a campaign's `earn_threshold` gives
that customer one delivery in the campaign's run for the local day (run key
`event:YYYY-MM-DD`), at most one per campaign per customer per day (the outbox's unique
(run, customer)), with the outbox's skip reasons, frequency cap and quiet hours.

crm.points.earn calls `after_earn` once the entry is written; it only schedules a task, so the
earn is never slowed, and a failure here is logged, never raised into the earn. (An earn made
inside a caller's transaction that is later rolled back still triggers: none is made so today.)
"""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from crm.campaigns.outbox import enqueue
from crm.campaigns.runs import job, mark_enqueued, record_coupons, run_row
from crm.campaigns.targets import for_customer, segment_ids
from crm.clock import Clock
from crm.config import CampaignSettings
from crm.models import Campaign, CampaignKind, CampaignStatus

log = logging.getLogger("siyu.campaigns")

_pending: set[asyncio.Task[None]] = set()
_settings: list[CampaignSettings] = [CampaignSettings()]


def configure(settings: CampaignSettings) -> None:
    """The process's campaign settings (frequency cap …), from config at start-up."""
    _settings[0] = settings


def after_earn(customer_id: int, amount: int, *, clock: Clock) -> None:
    """Schedule the triggered deliveries of one earn (needs a running event loop)."""
    task = asyncio.get_running_loop().create_task(_guarded(customer_id, amount, clock))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def drain() -> None:
    """Wait for the scheduled triggers (tests; a clean shutdown)."""
    while _pending:
        await asyncio.gather(*list(_pending))


async def _guarded(customer_id: int, amount: int, clock: Clock) -> None:
    try:
        await deliver_after_earn(customer_id, amount, clock=clock, settings=_settings[0])
    except Exception:  # never into the earn; the ledger entry stands either way
        log.exception("points trigger failed for customer %s", customer_id)


async def event_campaigns() -> list[Campaign]:
    live = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)
    found = await Campaign.filter(kind=CampaignKind.POINTS, status__in=live).order_by("id")
    return [c for c in found if (c.options or {}).get("earn_threshold") is not None]


async def deliver_after_earn(
    customer_id: int, amount: int, *, clock: Clock, settings: CampaignSettings
) -> int:
    """Deliveries written for this earn (0 when none applies or the customer has one today)."""
    written = 0
    for campaign in await event_campaigns():
        if amount >= int(campaign.options["earn_threshold"]):
            written += await deliver(campaign, customer_id, clock=clock, settings=settings)
    return written


async def deliver(
    campaign: Campaign, customer_id: int, *, clock: Clock, settings: CampaignSettings
) -> int:
    """One delivery of `campaign` to the customer (if in its segment) in today's event run."""
    now = clock.now()
    day = now.astimezone(ZoneInfo(campaign.timezone)).date()
    run, _ = await run_row(campaign, f"event:{day.isoformat()}", day, 1, False, now)
    targets = for_customer(await segment_ids(campaign, clock), customer_id)
    written = await enqueue(
        job(run, campaign, targets, now, settings), settings, ids=(customer_id,) * 2
    )
    if written:
        await record_coupons(run, campaign, now)
        await mark_enqueued(run.id, now)  # a run finished earlier today is sending again
    return written
