"""Campaign runs: start one (the run row, then the outbox), which steps are due, finish them.

A run is one row per (campaign, run key), so two leaders, a retry after a crash or a manual
re-run get the same row: a run still ENQUEUING is resumed (the outbox's INSERT adds only what
is missing), a run past it is returned as it is. A dry run has a key of its own (`dry:…`, it
never takes the real run's date), writes its deliveries for `siyu campaign run --dry-run` to
show, issues no coupons, and is DONE at once: claims skip dry runs, so nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.exceptions import DoesNotExist, IntegrityError

from crm.campaigns import coupons
from crm.campaigns.outbox import Enqueue, enqueue
from crm.campaigns.query import Query
from crm.campaigns.quiet_hours import next_allowed
from crm.campaigns.targets import target_ids
from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import CampaignSettings
from crm.errors import NotFound
from crm.models import Campaign, CampaignKind, CampaignRun, RunStatus
from crm.sql import execute


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    created: bool
    targeted: int


def default_key(run_date: date, step: int, dry_run: bool, now: datetime) -> str:
    if dry_run:
        return f"dry:{now:%Y%m%dT%H%M%S}:{step}"
    return run_date.isoformat() + (f"#{step}" if step > 1 else "")


async def get_campaign(campaign_id: int) -> Campaign:
    try:
        return await Campaign.get(id=campaign_id)
    except DoesNotExist:
        raise NotFound(f"活动 {campaign_id} 不存在") from None


async def run_row(
    campaign: Campaign, key: str, run_date: date, step: int, dry_run: bool, now: datetime
) -> tuple[CampaignRun, bool]:
    """The run of (campaign, key), created if new; a concurrent creator's row if it won."""
    existing = await CampaignRun.get_or_none(campaign_id=campaign.id, run_key=key)
    if existing is not None:
        return existing, False
    try:
        created = await CampaignRun.create(
            campaign_id=campaign.id, run_key=key, run_date=run_date, step=step, dry_run=dry_run,
            started_at=now,
        )  # fmt: skip
        return created, True
    except IntegrityError:
        return await CampaignRun.get(campaign_id=campaign.id, run_key=key), False


async def start_run(
    campaign_id: int,
    *,
    run_date: date,
    run_key: str | None = None,
    step: int = 1,
    dry_run: bool = False,
    clock: Clock = SYSTEM_CLOCK,
    settings: CampaignSettings | None = None,
) -> RunOutcome:
    """Create (or resume) the run and enqueue its deliveries; idempotent by run key."""
    s = settings or CampaignSettings()
    campaign = await get_campaign(campaign_id)
    now = clock.now()
    key = run_key or default_key(run_date, step, dry_run, now)
    run, created = await run_row(campaign, key, run_date, step, dry_run, now)
    if run.status is RunStatus.ENQUEUING:
        # a resumed run keeps its own date and step, whatever the re-call says
        day, step = run.run_date, run.step
        targets = await target_ids(campaign, run_date=day, step=step, clock=clock, settings=s)
        await enqueue(job(run, campaign, targets, now, s), s)
        await record_coupons(run, campaign, now)
        await mark_enqueued(run.id, now, done=run.dry_run)
        await run.refresh_from_db(fields=["status", "targeted", "enqueued_at", "finished_at"])
    return RunOutcome(run.id, created, run.targeted)


def job(
    run: CampaignRun, campaign: Campaign, targets: Query, now: datetime, s: CampaignSettings
) -> Enqueue:
    """The run's enqueue: due now or after the quiet hours, coupon codes when asked for."""
    due = next_allowed(now, campaign.quiet_start, campaign.quiet_end, campaign.timezone)
    with_codes = coupons.wanted(campaign.options) and not run.dry_run
    head = coupons.code_head(coupons.prefix(campaign.options, s.coupon_prefix), run.id)
    return Enqueue(
        run_id=run.id,
        campaign_id=campaign.id,
        targets=targets,
        marketing=not campaign.frequency_exempt,
        due_at=due,
        now=now,
        coupon_head=head if with_codes else None,
    )


async def record_coupons(run: CampaignRun, campaign: Campaign, now: datetime) -> None:
    if coupons.wanted(campaign.options) and not run.dry_run:
        await coupons.record(run.id, now)


_ENQUEUED = """UPDATE "campaign_run" SET "status" = ?, "enqueued_at" = COALESCE("enqueued_at", ?),
  "finished_at" = ?, "targeted" = (
    SELECT COUNT(*) FROM "campaign_delivery" d WHERE d."run_id" = "campaign_run"."id")
WHERE "id" = ?"""


async def mark_enqueued(run_id: int, now: datetime, *, done: bool = False) -> None:
    """SENDING (or DONE, a dry run) with `targeted` = the deliveries written, skipped included."""
    status = RunStatus.DONE if done else RunStatus.SENDING
    await execute(_ENQUEUED, [status.value, now, now if done else None, run_id])


async def due_steps(
    campaign: Campaign, *, run_date: date, clock: Clock = SYSTEM_CLOCK
) -> list[int]:
    """The steps to run on a scheduled day: win-back with a second message runs both every
    day (step 2 picks those whose first message is old enough); an event-triggered points
    campaign has no scheduled run (crm.campaigns.triggers)."""
    options = campaign.options or {}
    if campaign.kind is CampaignKind.WINBACK and (
        options.get("second_text") or options.get("second_template")
    ):
        return [1, 2]
    if campaign.kind is CampaignKind.POINTS and options.get("earn_threshold") is not None:
        return []
    return [1]


_FINISH = """UPDATE "campaign_run" SET "status" = 'done', "finished_at" = ?
WHERE "status" = 'sending' AND NOT EXISTS (
  SELECT 1 FROM "campaign_delivery" d
  WHERE d."run_id" = "campaign_run"."id" AND d."status" IN ('pending', 'waiting'))"""


async def finish_runs(*, clock: Clock = SYSTEM_CLOCK) -> int:
    """Mark DONE every sending run whose deliveries are all final; returns how many."""
    return await execute(_FINISH, [clock.now()])
