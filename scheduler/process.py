"""The scheduler's part of a process: compete for the lease for as long as the block runs.

Every process that does background work enters this; the one holding the lease runs
APScheduler (scheduler/service.py), the others stand by and take over when it goes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from crm.config import CrmSettings
from scheduler.config import SchedulerSettings
from scheduler.leader import Leadership, LeaseStore
from scheduler.notices import Notify
from scheduler.service import PeriodicJob, SchedulerService


@dataclass(frozen=True, slots=True)
class Competing:
    """What a process competing for the lease holds: its scheduler and its leadership."""

    service: SchedulerService
    leadership: Leadership


@contextlib.asynccontextmanager
async def competing_for_lease(
    settings: SchedulerSettings,
    crm: CrmSettings,
    timezone: str,
    store: LeaseStore,
    *,
    notify: Notify | None = None,
    periodic: Sequence[PeriodicJob] = (),
) -> AsyncIterator[Competing]:
    """On the way out the leader stops its scheduler and gives the lease back at once.
    `notify` reaches the admins (the missing-calendar notice); `periodic` are extra jobs the
    leader runs (the hook for dispatch's WeCom task-result poll)."""
    service = SchedulerService(settings, crm, timezone, notify=notify, periodic=periodic)
    leadership = Leadership(store, service.start, service.stop, settings.lease_seconds)
    task = asyncio.create_task(leadership.run(), name="scheduler-leadership")
    try:
        yield Competing(service, leadership)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
