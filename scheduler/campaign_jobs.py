"""The leader's campaign jobs, built in memory from the database (the truth) and kept in step
with it: one APScheduler job per schedulable campaign, id `campaign:<id>`.

Job settings, on purpose:
- coalesce=True and max_instances=1: runs queued up behind a stalled event loop collapse into
  one, and a run still enqueuing is never doubled by the next fire.
- misfire_grace_time = the catch-up window (scheduler.catch_up_hours, 6 h by default): a fire
  delayed inside this process (a blocked loop, a suspended host) still runs, for the date it
  was due, up to a morning late; older than that a greeting is no longer worth sending.
A one-off ({at}) missed by more than the window is not sent late: it is paused, with a warning
and a notice to the admins, so it never sits "scheduled" in silence (resume it with a new
time, or `siyu campaign run`).
A run missed while no process led is caught up at election, once: only the latest fire inside
the same window, and only when no CampaignRun row exists for its run key. Every run is
idempotent by its unique (campaign, run key) row, so an overlap of two leaders (a lease is
not a fence) enqueues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler

from crm.clock import Clock
from crm.models import Campaign, CampaignRun
from scheduler import campaign_source
from scheduler.calendars import HolidayCalendar
from scheduler.campaign_runs import CampaignRuns
from scheduler.campaign_triggers import (
    CampaignSchedule,
    ScheduleInvalid,
    last_fire,
    run_key,
    schedule_of,
)
from scheduler.notices import Notify, notify_once

log = logging.getLogger("siyu.scheduler")
PREFIX = "campaign:"
_MISSED = (
    "活动 {id} 的定时发送时间 {at:%Y-%m-%d %H:%M} 已过去太久，未补发，已暂停。"
    "请修改时间后恢复，或用 siyu campaign run {id} 立即发送。"
)


def job_id(campaign_id: int) -> str:
    return f"{PREFIX}{campaign_id}"


class CampaignJobs:
    def __init__(
        self, runs: CampaignRuns, calendar: HolidayCalendar, clock: Clock, window: timedelta
    ) -> None:
        self.runs, self.calendar, self.clock, self.window = runs, calendar, clock, window
        self._built: dict[int, CampaignSchedule] = {}

    def schedules(self, campaigns: Sequence[Campaign]) -> dict[int, CampaignSchedule]:
        """Each campaign's schedule; an invalid one is logged and left out."""
        found: dict[int, CampaignSchedule] = {}
        for campaign in campaigns:
            try:
                found[campaign.id] = schedule_of(campaign)
            except ScheduleInvalid as exc:
                log.warning("campaign not scheduled: %s", exc)
        return found

    def sync(self, scheduler: BaseScheduler, campaigns: Sequence[Campaign]) -> None:
        """Adds, replaces and removes jobs so they match `campaigns`; unchanged ones stay."""
        wanted = self.schedules(campaigns)
        for campaign_id in self._built.keys() - wanted.keys():
            scheduler.remove_job(job_id(campaign_id))
            del self._built[campaign_id]
            log.info("campaign job removed: %s", job_id(campaign_id))
        for campaign_id, schedule in wanted.items():
            built = self._built.get(campaign_id)
            if built is None or built.signature != schedule.signature:
                self._add(scheduler, campaign_id, schedule)

    def _add(self, scheduler: BaseScheduler, campaign_id: int, schedule: CampaignSchedule) -> None:
        job = scheduler.add_job(
            self.fire, schedule.trigger, args=[campaign_id], id=job_id(campaign_id),
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=int(self.window.total_seconds()) or 1,
        )  # fmt: skip
        self._built[campaign_id] = schedule
        log.info("campaign job scheduled: %s (%s)", job.id, schedule.trigger)

    async def fire(self, campaign_id: int) -> None:
        """The job: the run for the latest fire time (the one APScheduler is late for)."""
        schedule = self._built.get(campaign_id)
        if schedule is None:
            return
        now = self.clock.now()
        fire = last_fire(schedule.trigger, now, self.window) or now
        await self.run_at(campaign_id, schedule, fire)

    async def run_at(self, campaign_id: int, schedule: CampaignSchedule, fire: datetime) -> bool:
        """Starts the campaign's due steps for `fire`; False when there is nothing to run."""
        run_date = fire.astimezone(schedule.timezone).date()
        if schedule.include is not None and not self.calendar.included(run_date, schedule.include):
            return False  # a holiday campaign on an ordinary day
        live = campaign_source.SCHEDULABLE
        campaign = await Campaign.get_or_none(id=campaign_id, status__in=live)
        if campaign is None:
            return False  # paused or deleted since the last sync
        for step in await self.runs.due_steps(campaign, run_date=run_date, clock=self.clock):
            key = run_key(schedule, fire, step)
            outcome = await self.runs.start_run(
                campaign_id, run_date=run_date, run_key=key, step=step, clock=self.clock
            )
            log.info("campaign %d run %s started: %s", campaign_id, key, outcome)
        if schedule.one_off:
            await campaign_source.mark_done(campaign_id)
        return True

    async def pause_missed(self, campaigns: Sequence[Campaign], notify: Notify | None) -> list[int]:
        """One-offs whose time passed more than the window ago without a run: paused."""
        now, paused = self.clock.now(), []
        for campaign_id, schedule in self.schedules(campaigns).items():
            at = getattr(schedule.trigger, "run_date", None)
            if not schedule.one_off or at is None or at > now - self.window:
                continue
            if await CampaignRun.exists(campaign_id=campaign_id):
                continue  # it ran; marking it done is the run's part
            await campaign_source.pause_missed(campaign_id)
            paused.append(campaign_id)
            text = _MISSED.format(id=campaign_id, at=at.astimezone(schedule.timezone))
            log.warning(text)
            await notify_once(f"campaign-missed:{campaign_id}:{at.isoformat()}", text, notify)
        return paused

    async def catch_up(self, campaigns: Sequence[Campaign]) -> int:
        """At election: each run missed inside the window with no run row, once."""
        now, caught = self.clock.now(), 0
        for campaign_id, schedule in self.schedules(campaigns).items():
            if schedule.one_off:
                continue  # APScheduler runs a past DateTrigger itself, inside the grace time
            fire = last_fire(schedule.trigger, now, self.window)
            if fire is None or await _has_run(campaign_id, run_key(schedule, fire, 1)):
                continue
            if await self.run_at(campaign_id, schedule, fire):
                log.warning("campaign %d: caught up the run missed at %s", campaign_id, fire)
                caught += 1
        return caught


async def _has_run(campaign_id: int, key: str) -> bool:
    return await CampaignRun.exists(campaign_id=campaign_id, run_key=key)
