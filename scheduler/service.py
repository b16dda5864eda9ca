"""APScheduler 3.x, run only by the elected process, its jobs built in memory at election.

Nothing shares a job store (APScheduler's FAQ forbids it): the database is the truth, and
the leader polls `campaigns_version()` every `campaigns_poll_seconds` and re-syncs its
campaign jobs when it changed, so an edit made in any process is scheduled within seconds.
Besides the campaigns: the nightly customer-data job, finishing runs, the daily holiday-data
check, and periodic jobs handed in by the caller (e.g. polling WeCom task results).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import CrmSettings
from scheduler import campaign_source
from scheduler.calendar_watch import check_calendar
from scheduler.calendars import HolidayCalendar
from scheduler.campaign_jobs import CampaignJobs
from scheduler.campaign_runs import CampaignRuns, ContractRuns
from scheduler.config import SchedulerSettings
from scheduler.jobs import nightly_customer_data
from scheduler.notices import Notify

log = logging.getLogger("siyu.scheduler")
# APScheduler logs every job run at INFO: the campaign poll alone would be a line a second.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job every `seconds` while this process leads (the hook for other helpers' work)."""

    id: str
    func: Callable[[], Awaitable[object]]
    seconds: float


def _daily(at: str, timezone: str) -> CronTrigger:
    hour, minute = (int(part) for part in at.split(":"))
    return CronTrigger(hour=hour, minute=minute, timezone=timezone)


class SchedulerService:
    def __init__(
        self,
        settings: SchedulerSettings,
        crm: CrmSettings,
        timezone: str,
        clock: Clock = SYSTEM_CLOCK,
        *,
        runs: CampaignRuns | None = None,
        calendar: HolidayCalendar | None = None,
        notify: Notify | None = None,
        periodic: Sequence[PeriodicJob] = (),
    ) -> None:
        self.settings, self.crm, self.timezone, self.clock = settings, crm, timezone, clock
        self.calendar = calendar or HolidayCalendar(settings.brand_dates)
        self.runs, self.notify, self.periodic = runs or ContractRuns(), notify, tuple(periodic)
        self.scheduler: AsyncIOScheduler | None = None
        self.campaigns: CampaignJobs | None = None
        self._version: tuple[int, str] | None = None

    async def start(self) -> None:
        """Called from a coroutine, as APScheduler's asyncio scheduler requires."""
        window = timedelta(hours=self.settings.catch_up_hours)
        self.campaigns = CampaignJobs(self.runs, self.calendar, self.clock, window)
        self.scheduler = AsyncIOScheduler(timezone=self.timezone)
        self._add_fixed_jobs(self.scheduler)
        self.scheduler.start()
        log.info("scheduler started: nightly customer data at %s", self.settings.nightly_at)
        # at once, as a job: the notice's WeCom call must not hold up the election or a stop
        self.scheduler.add_job(self.check_calendar, id="calendar-at-start")
        await self._guarded("campaign jobs", self._elected_campaigns())

    def _add_fixed_jobs(self, scheduler: AsyncIOScheduler) -> None:
        s, tz = self.settings, self.timezone
        every = dict(coalesce=True, max_instances=1, replace_existing=True)
        scheduler.add_job(
            nightly_customer_data, _daily(s.nightly_at, tz), args=[self.crm],
            kwargs={"clock": self.clock}, id="nightly", misfire_grace_time=3600, **every,
        )  # fmt: skip
        scheduler.add_job(self.check_calendar, _daily(s.calendar_check_at, tz), id="calendar",
                          misfire_grace_time=3600, **every)  # fmt: skip
        scheduler.add_job(self.sync_campaigns, IntervalTrigger(seconds=s.campaigns_poll_seconds),
                          id="campaigns-sync", misfire_grace_time=None, **every)  # fmt: skip
        scheduler.add_job(self.finish_runs, IntervalTrigger(seconds=s.finish_runs_seconds),
                          id="campaign-runs-finish", misfire_grace_time=None, **every)  # fmt: skip
        for job in self.periodic:
            scheduler.add_job(job.func, IntervalTrigger(seconds=job.seconds), id=job.id,
                              misfire_grace_time=None, **every)  # fmt: skip

    async def _elected_campaigns(self) -> None:
        await self.sync_campaigns()
        assert self.campaigns is not None
        await self.campaigns.catch_up(await campaign_source.schedulable_campaigns())

    async def _guarded(self, what: str, step: Awaitable[object]) -> None:
        """A failing step at election is logged; the interval jobs try again."""
        try:
            await step
        except Exception:
            log.exception("scheduler start-up: %s failed", what)

    async def sync_campaigns(self) -> bool:
        """Re-syncs the campaign jobs when the campaigns changed; True when it did."""
        version = await campaign_source.campaigns_version()
        if version == self._version or self.scheduler is None or self.campaigns is None:
            return False
        campaigns = await campaign_source.schedulable_campaigns()
        if await self.campaigns.pause_missed(campaigns, self.notify):  # they are gone from these
            version = await campaign_source.campaigns_version()
            campaigns = await campaign_source.schedulable_campaigns()
        self.campaigns.sync(self.scheduler, campaigns)
        self._version = version
        return True

    async def finish_runs(self) -> None:
        finished = await self.runs.finish_runs(clock=self.clock)
        if finished:
            log.info("campaign runs finished: %d", finished)

    async def check_calendar(self) -> list[int]:
        today = self.clock.now().astimezone(ZoneInfo(self.timezone)).date()
        lookahead = self.settings.calendar_lookahead_days
        return await check_calendar(self.calendar, today, lookahead, self.notify)

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler, self.campaigns, self._version = None, None, None

    def jobs(self) -> list[str]:
        return [job.id for job in self.scheduler.get_jobs()] if self.scheduler else []
