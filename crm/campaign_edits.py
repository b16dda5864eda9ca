"""Campaign changes staff make from either door, with their audit row in the same transaction.
The campaign services (crm/campaigns/service.py) do the change; this adds the audit."""

from __future__ import annotations

from crm import audit
from crm.actors import Actor
from crm.campaigns import service
from crm.models import Campaign, CampaignStatus
from crm.transactions import in_transaction

PAUSE = "campaigns.pause"


async def pause_campaign(
    campaign_id: int, *, actor: Actor, request_id: str | None = None
) -> Campaign:
    """Pause it (CampaignStateError from a status that cannot be paused); a campaign already
    paused is returned as it is, with no audit row."""
    async with in_transaction() as tx:  # the service's statements run on it (ambient)
        before = await service.get_campaign(campaign_id)
        if before.status is CampaignStatus.PAUSED:
            return before
        campaign = await service.pause(campaign_id, actor=actor)
        await audit.record(
            actor, PAUSE, "campaign", campaign_id,
            before={"status": before.status.value}, after={"status": campaign.status.value},
            request_id=request_id, conn=tx,
        )  # fmt: skip
    return campaign
