"""The nightly customer-data job the scheduler runs: clean phones, merge duplicates, expire
points, then RFM and lifecycle (in that order: scores must see merged, cleaned records), and
last the retention periods of personal data (PIPL: crm/pipl/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass

from crm.actors import Actor
from crm.cleaning import PhoneCleaning, normalize_stored_phones
from crm.clock import SYSTEM_CLOCK, Clock, FrozenClock
from crm.config import CrmSettings
from crm.lifecycle import LifecycleResult, recompute_lifecycle
from crm.merge import merge_duplicates
from crm.pipl import config as privacy_config
from crm.pipl.retention import RetentionReport, enforce_retention
from crm.points import expire_due
from crm.rfm import RfmResult, recompute_rfm


@dataclass(frozen=True)
class NightlyReport:
    phones: PhoneCleaning
    merged: int
    points_expired: int
    rfm: RfmResult
    lifecycle: LifecycleResult
    retention: RetentionReport


async def run_nightly(
    settings: CrmSettings | None = None, *, actor: Actor, clock: Clock = SYSTEM_CLOCK
) -> NightlyReport:
    """Idempotent: running it twice in a night changes nothing the second time. Its writes are
    made as `actor` (the scheduler passes Actor.system("nightly"))."""
    s = settings or CrmSettings()
    moment = FrozenClock(clock.now())  # every step sees the same instant
    phones = await normalize_stored_phones(actor=actor)
    merged = await merge_duplicates(actor=actor)
    expired = await expire_due(clock=moment, actor=actor)
    rfm = await recompute_rfm(s.rfm, clock=moment)
    lifecycle = await recompute_lifecycle(s.lifecycle, clock=moment)
    retention = await enforce_retention(privacy_config.current().retention, clock=moment)
    return NightlyReport(phones, merged, expired, rfm, lifecycle, retention)
