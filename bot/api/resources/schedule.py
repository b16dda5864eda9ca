"""/v1/schedule: when each campaign fires next, from its schedule in its timezone (the
trigger the elected scheduler builds, scheduler.campaign_triggers), so a list of campaigns can
show its next run. Only a scheduled or running campaign has one; a bad schedule has none."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.api.models import Out
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from crm.clock import SYSTEM_CLOCK
from crm.models.campaigns import Campaign, CampaignStatus
from crm.permissions import Action
from scheduler.campaign_triggers import ScheduleInvalid, schedule_of

ON_SCHEDULE = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)


class NextRunOut(Out):
    campaign_id: int
    status: CampaignStatus
    next_run: datetime | None


class ScheduleQuery(PageQuery):
    sort: Literal["id", "-id"] = "id"


def next_run(campaign: Campaign, now: datetime) -> datetime | None:
    if campaign.status not in ON_SCHEDULE:
        return None
    try:
        fire: datetime | None = schedule_of(campaign).trigger.get_next_fire_time(None, now)
    except ScheduleInvalid:
        return None
    return fire


@API.route("GET", "/v1/schedule", action=Action.CAMPAIGNS_READ, tag="campaigns",
           query=ScheduleQuery, response=Page[NextRunOut])  # fmt: skip
async def campaign_schedule(call: Call) -> Page[NextRunOut]:
    """Each campaign's next fire time (null: paused, draft, done, or nothing left to fire)."""
    q: ScheduleQuery = call.query
    rows, cursor = await page_of(Campaign.all(), sort=q.sort, limit=q.limit, cursor=q.cursor)
    now = SYSTEM_CLOCK.now()
    items = [NextRunOut(campaign_id=c.id, status=c.status, next_run=next_run(c, now)) for c in rows]
    return Page[NextRunOut](items=items, next_cursor=cursor)
