"""/v1/campaigns: CRUD (the body is the campaign file's model, crm.campaigns.spec), schedule,
pause, resume, run now, dry run, runs with their stats, and a run's deliveries with filters.
Everything goes through crm.campaigns' services; each write commits with its audit row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from bot.api.dispatch import MAX_ID
from bot.api.masking import sees_pii
from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm.campaigns import service
from crm.campaigns.preview import preview_run
from crm.campaigns.runs import start_run
from crm.campaigns.spec import CampaignSpec
from crm.campaigns.stats import campaign_stats
from crm.clock import SYSTEM_CLOCK
from crm.errors import InvalidCampaign, NotFound
from crm.models.campaigns import (
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    CampaignStatus,
    DeliveryStatus,
    RunStatus,
    SendChannel,
)
from crm.permissions import Action
from crm.privacy import record_unmasked_read

TAG = "campaigns"
CAMPAIGN = "/v1/campaigns/{campaign_id}"
RUN = CAMPAIGN + "/runs/{run_id}"


class CampaignOut(Out):
    id: int
    name: str
    kind: CampaignKind
    status: CampaignStatus
    segment_id: int | None
    segment: dict[str, Any] | None
    text: str | None
    template: str | None
    message_template_id: int | None
    template_message: dict[str, Any] | None
    schedule: dict[str, Any]
    timezone: str
    quiet_hours: dict[str, str] | bool
    frequency_exempt: bool
    options: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class RunOut(Out):
    id: int
    run_key: str
    run_date: date
    step: int
    status: RunStatus
    dry_run: bool
    targeted: int
    started_at: datetime
    enqueued_at: datetime | None
    finished_at: datetime | None


class StatsOut(Out):
    campaign_id: int
    run_id: int | None
    runs: int
    targeted: int
    sent: int
    failed: int
    skipped: int
    waiting: int
    pending: int
    deferred: int
    sent_by_channel: dict[str, int]
    failed_by_code: dict[str, int]
    skipped_by_reason: dict[str, int]
    replies_72h: int
    opt_outs_72h: int
    points_redeemed_7d: int
    orders_7d: int


class Started(Out):
    run_id: int
    created: bool
    targeted: int


class DryRunRow(Out):
    customer_id: int
    name: str | None = Field(description="masked")
    phone: str | None = Field(description="masked")
    status: str
    channel: str | None
    reason: str | None
    text: str | None


class DryRunOut(Out):
    run_id: int
    targeted: int
    skipped_by_reason: dict[str, int]
    deliveries: list[DryRunRow]


class DryRunBody(Strict):
    limit: int = Field(50, ge=1, le=500, description="deliveries shown")


class DeliveryOut(Out):
    id: int
    customer_id: int
    status: DeliveryStatus
    reason: str | None
    errcode: int | None
    channel: SendChannel | None
    due_at: datetime
    attempts: int
    sent_at: datetime | None


class CampaignQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name", "created_at", "-created_at"] = "id"
    status: CampaignStatus | None = None
    kind: CampaignKind | None = None


class RunQuery(PageQuery):
    sort: Literal["id", "-id"] = "-id"
    dry_run: bool | None = None


class DeliveryQuery(PageQuery):
    sort: Literal["id", "-id"] = "id"
    status: DeliveryStatus | None = None
    reason: str | None = Field(None, max_length=64, description="skip or failure reason")
    channel: SendChannel | None = None


def _out(campaign: Campaign) -> CampaignOut:
    return CampaignOut.model_validate(service.campaign_json(campaign))


def _checked(spec: CampaignSpec) -> CampaignSpec:
    if spec.segment_id is not None and spec.segment_id > MAX_ID:
        raise InvalidCampaign(f"segment_id: 分群 {spec.segment_id} 不存在")
    return spec


async def _run(campaign_id: int, run_id: int) -> CampaignRun:
    run = await CampaignRun.get_or_none(id=run_id, campaign_id=campaign_id)
    if run is None:
        raise NotFound(f"活动 {campaign_id} 没有运行 {run_id}")
    return run


@API.route("GET", "/v1/campaigns", action=Action.CAMPAIGNS_READ, tag=TAG,
           query=CampaignQuery, response=Page[CampaignOut])  # fmt: skip
async def list_campaigns(call: Call) -> Page[CampaignOut]:
    """List campaigns, filtered by status and kind."""
    q: CampaignQuery = call.query
    filters = {k: v for k, v in (("status", q.status), ("kind", q.kind)) if v is not None}
    rows, cursor = await page_of(Campaign.filter(**filters), sort=q.sort, limit=q.limit,
                                 cursor=q.cursor)  # fmt: skip
    return Page[CampaignOut](items=[_out(r) for r in rows], next_cursor=cursor)


@API.route("GET", CAMPAIGN, action=Action.CAMPAIGNS_READ, tag=TAG, response=CampaignOut)
async def get_campaign(call: Call) -> CampaignOut:
    """One campaign."""
    return _out(await service.get_campaign(call["campaign_id"]))


@API.route("POST", "/v1/campaigns", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           body=CampaignSpec, response=CampaignOut, status=201)  # fmt: skip
async def create_campaign(call: Call) -> CampaignOut:
    """Create a campaign from the campaign file's fields (scheduled unless status: draft)."""
    async with in_transaction() as tx:
        campaign = await service.create_campaign(_checked(call.body), actor=call.actor)
        after = service.campaign_json(campaign)
        await audited(call, tx, "campaigns.create", "campaign", campaign.id, after=after)
    return _out(campaign)


@API.route("PUT", CAMPAIGN, action=Action.CAMPAIGNS_WRITE, tag=TAG,
           body=CampaignSpec, response=CampaignOut)  # fmt: skip
async def replace_campaign(call: Call) -> CampaignOut:
    """Replace a campaign's definition (draft, scheduled or paused; its status stays)."""
    async with in_transaction() as tx:
        before = service.campaign_json(await service.get_campaign(call["campaign_id"]))
        campaign = await service.update_campaign(
            call["campaign_id"], _checked(call.body), actor=call.actor
        )
        after = service.campaign_json(campaign)
        await audited(
            call, tx, "campaigns.update", "campaign", campaign.id, before=before, after=after
        )
    return _out(campaign)


@API.route("DELETE", CAMPAIGN, action=Action.CAMPAIGNS_WRITE, tag=TAG)
async def delete_campaign(call: Call) -> None:
    """Delete a campaign that never sent (409 otherwise: pause it instead)."""
    async with in_transaction() as tx:
        before = service.campaign_json(await service.get_campaign(call["campaign_id"]))
        await service.delete_campaign(call["campaign_id"], actor=call.actor)
        await audited(call, tx, "campaigns.delete", "campaign", call["campaign_id"], before=before)


async def _move(call: Call, action: str, change: Any) -> CampaignOut:
    async with in_transaction() as tx:
        before = (await service.get_campaign(call["campaign_id"])).status.value
        campaign = await change(call["campaign_id"], actor=call.actor)
        after = {"status": campaign.status.value}
        await audited(
            call, tx, action, "campaign", campaign.id, before={"status": before}, after=after
        )
    return _out(campaign)


@API.route("POST", CAMPAIGN + "/schedule", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           response=CampaignOut)  # fmt: skip
async def schedule_campaign(call: Call) -> CampaignOut:
    """Put a draft on the schedule."""
    return await _move(call, "campaigns.schedule", service.publish)


@API.route("POST", CAMPAIGN + "/pause", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           response=CampaignOut)  # fmt: skip
async def pause_campaign(call: Call) -> CampaignOut:
    """No new runs; pending deliveries wait until resumed."""
    return await _move(call, "campaigns.pause", service.pause)


@API.route("POST", CAMPAIGN + "/resume", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           response=CampaignOut)  # fmt: skip
async def resume_campaign(call: Call) -> CampaignOut:
    """Back on the schedule; waiting deliveries go out."""
    return await _move(call, "campaigns.resume", service.resume)


async def _start(campaign: Campaign, dry_run: bool) -> Any:
    now = SYSTEM_CLOCK.now()
    local = now.astimezone(ZoneInfo(campaign.timezone))
    key = f"{'dry' if dry_run else 'manual'}:{now:%Y%m%dT%H%M%S.%f}"
    return await start_run(campaign.id, run_date=local.date(), run_key=key, dry_run=dry_run)


@API.route("POST", CAMPAIGN + "/run", action=Action.CAMPAIGNS_SEND, tag=TAG,
           response=Started, status=202)  # fmt: skip
async def run_campaign(call: Call) -> Started:
    """Start a run now, outside the schedule; the workers send it."""
    async with in_transaction() as tx:
        campaign = await service.get_campaign(call["campaign_id"])
        outcome = await _start(campaign, dry_run=False)
        after = {"run_id": outcome.run_id, "targeted": outcome.targeted}
        await audited(call, tx, "campaigns.run", "campaign", campaign.id, after=after)
    return Started(run_id=outcome.run_id, created=outcome.created, targeted=outcome.targeted)


@API.route("POST", CAMPAIGN + "/dry-run", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           body=DryRunBody, response=DryRunOut)  # fmt: skip
async def dry_run_campaign(call: Call) -> DryRunOut:
    """Who would get what (masked) and who would be skipped, and why; nothing is sent."""
    async with in_transaction() as tx:
        campaign = await service.get_campaign(call["campaign_id"])
        outcome = await _start(campaign, dry_run=True)
        await audited(call, tx, "campaigns.dry_run", "campaign", campaign.id,
                      after={"run_id": outcome.run_id})  # fmt: skip
    rows = await preview_run(
        outcome.run_id, campaign, limit=call.body.limit, clock=SYSTEM_CLOCK,
        unmasked=sees_pii(call.actor),
    )  # fmt: skip
    counted = await campaign_stats(campaign.id, outcome.run_id)
    shown = [DryRunRow.model_validate(r.as_json()) for r in rows]
    if sees_pii(call.actor):  # the texts greet by the unmasked name
        named = [r.customer_id for r in shown if r.text]
        async with in_transaction() as tx:
            await record_unmasked_read(call.actor, "customer", named, ["name"],
                                       request_id=call.request_id, conn=tx)  # fmt: skip
    return DryRunOut(
        run_id=outcome.run_id, targeted=counted.targeted,
        skipped_by_reason=counted.skipped_by_reason,
        deliveries=shown,
    )  # fmt: skip


@API.route("GET", CAMPAIGN + "/runs", action=Action.CAMPAIGNS_READ, tag=TAG,
           query=RunQuery, response=Page[RunOut])  # fmt: skip
async def list_runs(call: Call) -> Page[RunOut]:
    """A campaign's runs, newest first."""
    q: RunQuery = call.query
    await service.get_campaign(call["campaign_id"])
    qs = CampaignRun.filter(campaign_id=call["campaign_id"])
    if q.dry_run is not None:
        qs = qs.filter(dry_run=q.dry_run)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[RunOut](items=[RunOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("GET", CAMPAIGN + "/stats", action=Action.CAMPAIGNS_READ, tag=TAG, response=StatsOut)
async def campaign_totals(call: Call) -> StatsOut:
    """Results over all the campaign's real runs."""
    await service.get_campaign(call["campaign_id"])
    return StatsOut.model_validate((await campaign_stats(call["campaign_id"])).as_json())


@API.route("GET", RUN + "/stats", action=Action.CAMPAIGNS_READ, tag=TAG, response=StatsOut)
async def run_stats(call: Call) -> StatsOut:
    """One run's results: by status, channel, error code and skip reason, and effects."""
    run = await _run(call["campaign_id"], call["run_id"])
    return StatsOut.model_validate((await campaign_stats(call["campaign_id"], run.id)).as_json())


@API.route("GET", RUN + "/deliveries", action=Action.CAMPAIGNS_READ, tag=TAG,
           query=DeliveryQuery, response=Page[DeliveryOut])  # fmt: skip
async def list_deliveries(call: Call) -> Page[DeliveryOut]:
    """A run's deliveries, filtered by status, reason and channel."""
    q: DeliveryQuery = call.query
    run = await _run(call["campaign_id"], call["run_id"])
    filters = {k: getattr(q, k) for k in ("status", "reason", "channel")}
    qs = CampaignDelivery.filter(
        run_id=run.id, **{k: v for k, v in filters.items() if v is not None}
    )
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[DeliveryOut](
        items=[DeliveryOut.model_validate(r) for r in rows], next_cursor=cursor
    )
