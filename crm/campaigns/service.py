"""Campaigns in use: create from a file, list, show, edit, pause, resume, delete, finish.

Status moves only along TRANSITIONS, by a conditional UPDATE (two processes racing cannot
both move it), and every change stamps updated_at: the scheduler's leader polls
campaigns_version() and rebuilds its jobs when the answer changes.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from crm.actors import Actor
from crm.campaigns.spec import CampaignSpec, to_fields
from crm.clock import SYSTEM_CLOCK
from crm.errors import CampaignNameTaken, CampaignNotFound, CampaignStateError, InvalidCampaign
from crm.models import Segment
from crm.models.campaigns import Campaign, CampaignRun, CampaignStatus, MessageTemplate
from crm.sql import as_datetime, fetch
from crm.transactions import transaction

log = logging.getLogger("siyu.campaigns")
S = CampaignStatus
TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    S.DRAFT: frozenset({S.SCHEDULED, S.DONE}),
    S.SCHEDULED: frozenset({S.RUNNING, S.PAUSED, S.DONE, S.DRAFT}),
    S.RUNNING: frozenset({S.SCHEDULED, S.PAUSED, S.DONE}),
    S.PAUSED: frozenset({S.SCHEDULED, S.DONE}),
    S.DONE: frozenset(),
}
SCHEDULABLE = (S.SCHEDULED, S.RUNNING)
_EDITABLE = (S.DRAFT, S.SCHEDULED, S.PAUSED)


async def create_campaign(
    spec: CampaignSpec,
    *,
    actor: Actor,
    quiet_default: tuple[str, str] | None = None,
    occasions: Collection[str] | None = None,
) -> Campaign:
    """Save a campaign from its file (scheduled, unless the file says draft). `occasions`: the
    holiday names the calendar knows (scheduler.calendars); an `include` outside them is
    refused — it would never fire."""
    _check_occasions(spec, occasions)
    fields = await _resolved(spec, quiet_default)
    try:
        async with transaction() as tx:
            campaign = await Campaign.create(using_db=tx, **fields)
    except IntegrityError:
        raise CampaignNameTaken(f"name: 已有同名活动「{spec.name}」") from None
    log.info("campaign %s %r created (%s) by %s", campaign.id, spec.name, spec.kind, actor.label)
    return campaign


async def update_campaign(
    campaign_id: int,
    spec: CampaignSpec,
    *,
    actor: Actor,
    quiet_default: tuple[str, str] | None = None,
    occasions: Collection[str] | None = None,
) -> Campaign:
    """Replace a campaign's definition (not its status) while it is not sending or done."""
    _check_occasions(spec, occasions)
    fields = await _resolved(spec, quiet_default)
    fields.pop("status")
    campaign = await get_campaign(campaign_id)
    if campaign.status not in _EDITABLE:
        raise CampaignStateError(f"活动 {campaign_id} 状态为 {campaign.status}，不能修改（先暂停）")
    campaign.update_from_dict(fields)
    try:
        await campaign.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        raise CampaignNameTaken(f"name: 已有同名活动「{spec.name}」") from None
    log.info("campaign %s updated by %s", campaign_id, actor.label)
    return campaign


def _check_occasions(spec: CampaignSpec, occasions: Collection[str] | None) -> None:
    timing = getattr(spec.schedule, "holidays", None)
    if occasions is None or timing is None or not timing.include:
        return
    unknown = [name for name in timing.include if name not in occasions]
    if unknown:
        known = "、".join(sorted(occasions))
        raise InvalidCampaign(
            f"schedule.holidays.include: 不认识的节日 {'、'.join(unknown)}（可用：{known}）"
        )


async def _resolved(spec: CampaignSpec, quiet_default: tuple[str, str] | None) -> dict[str, Any]:
    """The row's columns, with the segment and the stored template checked to exist."""
    fields = to_fields(spec) if quiet_default is None else to_fields(spec, quiet_default)
    if spec.segment_id is not None and not await Segment.exists(id=spec.segment_id):
        raise InvalidCampaign(f"segment_id: 分群 {spec.segment_id} 不存在")
    fields["template_id"] = None
    if spec.message_template is not None:
        stored = await MessageTemplate.get_or_none(name=spec.message_template)
        if stored is None:
            raise InvalidCampaign(f"message_template: 没有名为「{spec.message_template}」的模板")
        fields["template_id"] = stored.id
    return fields


async def get_campaign(campaign_id: int) -> Campaign:
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"活动 {campaign_id} 不存在（siyu campaign list 可查看全部）")
    return campaign


async def list_campaigns(status: CampaignStatus | None = None) -> list[Campaign]:
    qs = Campaign.all() if status is None else Campaign.filter(status=status)
    return await qs.order_by("id")


def _stamp() -> datetime:
    """updated_at as auto_now writes it on save (the system clock, not an injected one): the
    version the leader polls must only move forward, whichever way a campaign changed."""
    return SYSTEM_CLOCK.now()


async def set_status(campaign_id: int, status: CampaignStatus, *, actor: Actor) -> Campaign:
    """Move a campaign to `status` if TRANSITIONS allow it from where it is now."""
    allowed_from = [s for s, targets in TRANSITIONS.items() if status in targets]
    moved = await Campaign.filter(id=campaign_id, status__in=allowed_from).update(
        status=status, updated_at=_stamp()
    )
    campaign = await get_campaign(campaign_id)
    if not moved and campaign.status is not status:
        raise CampaignStateError(
            f"活动 {campaign_id} 状态为 {campaign.status}，不能改为 {status.value}"
        )
    log.info("campaign %s is %s (by %s)", campaign_id, status.value, actor.label)
    return campaign


async def pause(campaign_id: int, *, actor: Actor) -> Campaign:
    """No new runs, and the workers leave its pending deliveries alone until resumed."""
    return await set_status(campaign_id, S.PAUSED, actor=actor)


async def resume(campaign_id: int, *, actor: Actor) -> Campaign:
    campaign = await get_campaign(campaign_id)
    if campaign.status is not S.PAUSED:
        raise CampaignStateError(f"活动 {campaign_id} 状态为 {campaign.status}，未暂停")
    return await set_status(campaign_id, S.SCHEDULED, actor=actor)


async def publish(campaign_id: int, *, actor: Actor) -> Campaign:
    """A draft goes on the schedule."""
    return await set_status(campaign_id, S.SCHEDULED, actor=actor)


async def delete_campaign(campaign_id: int, *, actor: Actor) -> None:
    """Only a campaign that never ran: a campaign's sends are its history (pause it instead)."""
    campaign = await get_campaign(campaign_id)
    if await CampaignRun.exists(campaign_id=campaign_id, dry_run=False):
        raise CampaignStateError(f"活动 {campaign_id} 已有发送记录，不能删除；可暂停它")
    await campaign.delete()
    log.info("campaign %s deleted by %s", campaign_id, actor.label)


async def mark_done(campaign_id: int) -> None:
    """A one-off {at} campaign after its run; done stays done (a second call is a no-op)."""
    await set_status(campaign_id, S.DONE, actor=Actor.system("scheduler"))


async def pause_missed(campaign_id: int) -> None:
    """A one-off {at} whose time passed too long ago to send it late (the scheduler's call)."""
    await set_status(campaign_id, S.PAUSED, actor=Actor.system("scheduler"))


async def schedulable_campaigns() -> list[Campaign]:
    """What the leader builds jobs from: scheduled or running, not paused, draft or done."""
    return await Campaign.filter(status__in=SCHEDULABLE).order_by("id")


async def campaigns_version() -> tuple[int, str]:
    """(count, latest updated_at | how many are schedulable): changes on every create, edit,
    status change and delete, and on a status set by a bulk UPDATE too (no auto_now there)."""
    rows = await fetch(_VERSION, list(SCHEDULABLE))
    latest, live = rows[0]["latest"], rows[0]["live"]
    stamp = "" if latest is None else as_datetime(latest).isoformat()
    return int(rows[0]["n"]), f"{stamp}|{live or 0}"


_VERSION = (
    'SELECT COUNT(*) AS n, MAX("updated_at") AS latest,'
    ' SUM(CASE WHEN "status" IN (?, ?) THEN 1 ELSE 0 END) AS live FROM "campaign"'
)


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as `siyu campaign show` prints it."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "kind": campaign.kind.value,
        "status": campaign.status.value,
        "segment_id": campaign.segment_id,  # type: ignore[attr-defined]
        "segment": campaign.rule,
        "text": campaign.text,
        "template": campaign.template_file,
        "message_template_id": campaign.template_id,  # type: ignore[attr-defined]
        "template_message": campaign.template_message,
        "schedule": campaign.schedule,
        "timezone": campaign.timezone,
        "quiet_hours": _quiet_json(campaign),
        "frequency_exempt": campaign.frequency_exempt,
        "options": campaign.options,
        "created_at": campaign.created_at.isoformat(),
        "updated_at": campaign.updated_at.isoformat(),
    }


def _quiet_json(campaign: Campaign) -> dict[str, str] | bool:
    if campaign.quiet_start is None or campaign.quiet_end is None:
        return False
    return {"start": campaign.quiet_start, "end": campaign.quiet_end}
