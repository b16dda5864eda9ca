"""The campaigns the leader schedules, and a cheap version stamp to poll for changes.

INTERIM (branch h/sched): the CONTRACT puts `schedulable_campaigns`, `campaigns_version` and
`mark_done` in crm/campaigns/service.py (helper "core"); until that is merged these minimal
queries stand in, with the same signatures and meaning. After the merge, import core's.
"""

from __future__ import annotations

from crm.models import Campaign, CampaignStatus
from crm.sql import fetch

SCHEDULABLE = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)
_VERSION = (
    "SELECT COUNT(*) AS n, MAX(updated_at) AS latest,"
    " SUM(CASE WHEN status IN (?, ?) THEN 1 ELSE 0 END) AS live FROM campaign"
)


async def schedulable_campaigns() -> list[Campaign]:
    """Status scheduled or running (not draft, paused or done)."""
    return await Campaign.filter(status__in=SCHEDULABLE).order_by("id")


async def campaigns_version() -> tuple[int, str]:
    """(count, latest updated_at + how many are schedulable): any create, edit, pause,
    resume or delete changes it, a status set by a bulk UPDATE (no auto_now) too."""
    row = (await fetch(_VERSION, list(SCHEDULABLE)))[0]
    return int(row["n"]), f"{row['latest'] or ''}|{row['live']}"


async def mark_done(campaign_id: int) -> None:
    """A one-off {at} campaign after its run."""
    await Campaign.filter(id=campaign_id, status__in=SCHEDULABLE).update(status=CampaignStatus.DONE)
