"""The scheduled jobs. Campaign jobs (birthday, holiday, points, win-back) come later."""

from __future__ import annotations

import logging

from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import CrmSettings
from crm.nightly import run_nightly

log = logging.getLogger("siyu.scheduler")
NIGHTLY = Actor.system("nightly")


async def nightly_customer_data(settings: CrmSettings, *, clock: Clock = SYSTEM_CLOCK) -> None:
    """Clean phones, merge duplicates, expire points, recompute RFM and lifecycle."""
    report = await run_nightly(settings, actor=NIGHTLY, clock=clock)
    log.info(
        "nightly: %d merged, %d points entries expired, RFM %s, lifecycle %s, retention %s",
        report.merged, report.points_expired, report.rfm, report.lifecycle, report.retention,
    )  # fmt: skip
