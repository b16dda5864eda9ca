"""The campaigns the leader schedules, and a cheap version stamp to poll for changes.

INTERIM (branch h/sched): the CONTRACT puts `schedulable_campaigns`, `campaigns_version` and
`mark_done` in crm/campaigns/service.py (helper "core"); until that is merged these minimal
queries stand in, with the same signatures and meaning. After the merge, import core's.
"""

from __future__ import annotations

from crm.models import Campaign, CampaignStatus
from crm.sql import fetch

SCHEDULABLE = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)


async def schedulable_campaigns() -> list[Campaign]:
    """Status scheduled or running (not draft, paused or done)."""
    return await Campaign.filter(status__in=SCHEDULABLE).order_by("id")


async def campaigns_version() -> tuple[int, str]:
    """(count, latest updated_at): any create, edit, pause, resume or delete changes it."""
    row = (await fetch("SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM campaign"))[0]
    return int(row["n"]), str(row["latest"] or "")


async def mark_done(campaign_id: int) -> None:
    """A one-off {at} campaign after its run."""
    await Campaign.filter(id=campaign_id, status__in=SCHEDULABLE).update(status=CampaignStatus.DONE)
