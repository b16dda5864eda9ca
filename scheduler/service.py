"""APScheduler 3.x, run only by the elected process, jobs built in memory at election."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import CrmSettings
from scheduler.config import SchedulerSettings
from scheduler.jobs import nightly_customer_data

log = logging.getLogger("siyu.scheduler")


class SchedulerService:
    def __init__(
        self,
        settings: SchedulerSettings,
        crm: CrmSettings,
        timezone: str,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.settings, self.crm, self.timezone = settings, crm, timezone
        self.clock = clock
        self.scheduler: AsyncIOScheduler | None = None

    async def start(self) -> None:
        """Called from a coroutine, as APScheduler's asyncio scheduler requires."""
        self.scheduler = AsyncIOScheduler(timezone=self.timezone)
        hour, minute = (int(part) for part in self.settings.nightly_at.split(":"))
        self.scheduler.add_job(
            nightly_customer_data, CronTrigger(hour=hour, minute=minute, timezone=self.timezone),
            args=[self.crm], kwargs={"clock": self.clock}, id="nightly", coalesce=True,
            max_instances=1, misfire_grace_time=3600,
        )  # fmt: skip
        self.scheduler.start()
        log.info("scheduler started: nightly customer data at %s", self.settings.nightly_at)

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    def jobs(self) -> list[str]:
        return [job.id for job in self.scheduler.get_jobs()] if self.scheduler else []
