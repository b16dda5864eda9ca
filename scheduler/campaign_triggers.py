"""A campaign's `schedule` as an APScheduler trigger, in the campaign's timezone.

`{at: ISO time}` fires once (a DateTrigger; a time without an offset is the campaign's local
time); `{cron: "m h dom mon dow"}` by the crontab; `{birthday: {at}}`, `{daily: {at}}` and
`{holidays: {at, include}}` every day at HH:MM (a holiday job looks the day up when it fires).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from crm.models import Campaign

DEFAULT_AT = "10:00"
DAILY_KINDS = ("birthday", "daily", "holidays")


class ScheduleInvalid(ValueError):
    """The campaign's schedule cannot be turned into a trigger (the leader skips it)."""


@dataclass(frozen=True, slots=True)
class CampaignSchedule:
    trigger: BaseTrigger
    timezone: tzinfo
    one_off: bool  # {at}: marked done after its run
    per_fire: bool  # {cron}: a run per fire time, not per date (it may fire twice a day)
    include: tuple[str, ...] | None  # {holidays}: the occasions it fires on; None otherwise
    signature: str  # what it was built from: the job is rebuilt when this changes


def schedule_of(campaign: Campaign) -> CampaignSchedule:
    spec, zone = campaign.schedule or {}, ZoneInfo(campaign.timezone)
    signature = json.dumps([spec, campaign.timezone], sort_keys=True, default=str)
    try:
        return _build(spec, zone, signature)
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleInvalid(f"campaign {campaign.id}: schedule {spec!r}: {exc}") from exc


def _build(spec: Mapping[str, Any], zone: tzinfo, signature: str) -> CampaignSchedule:
    if "at" in spec:
        when = datetime.fromisoformat(str(spec["at"]))
        when = when if when.tzinfo else when.replace(tzinfo=zone)
        return CampaignSchedule(DateTrigger(when), zone, True, False, None, signature)
    if "cron" in spec:
        trigger = CronTrigger.from_crontab(str(spec["cron"]), timezone=zone)
        return CampaignSchedule(trigger, zone, False, True, None, signature)
    kind = next(k for k in DAILY_KINDS if k in spec)
    options = spec[kind] if isinstance(spec[kind], Mapping) else {"at": spec[kind]}
    hour, minute = (int(part) for part in str(options.get("at") or DEFAULT_AT).split(":"))
    include = tuple(options.get("include") or ()) if kind == "holidays" else None
    trigger = CronTrigger(hour=hour, minute=minute, timezone=zone)
    return CampaignSchedule(trigger, zone, False, False, include, signature)


def last_fire(trigger: BaseTrigger, now: datetime, window: timedelta) -> datetime | None:
    """The latest fire time in (now - window, now]: the one a late or missed run is for."""
    fire, last = trigger.get_next_fire_time(None, now - window), None
    while fire is not None and fire <= now:
        last, fire = fire, trigger.get_next_fire_time(fire, fire)
    return last


def run_key(schedule: CampaignSchedule, fire: datetime, step: int) -> str:
    """The run's unique key: the local date (per the CONTRACT's default), or for cron the
    local fire minute; `#2` for a second step."""
    local = fire.astimezone(schedule.timezone)
    key = local.strftime("%Y-%m-%dT%H:%M") if schedule.per_fire else local.date().isoformat()
    return key if step == 1 else f"{key}#{step}"
