"""Helpers of the outbox tests: customers, campaigns and a run's deliveries, in a real DB."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from crm.models import Campaign, CampaignDelivery, CampaignKind, CampaignStatus, Customer

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Monday
_serial = itertools.count(1)


async def customer(**fields: Any) -> Customer:
    """A reachable follower unless the test says otherwise."""
    n = next(_serial)
    fields.setdefault("openid", f"o-outbox-{n}")
    fields.setdefault("subscribed", True)
    return await Customer.create(**fields)


async def campaign(kind: CampaignKind = CampaignKind.CUSTOM, **fields: Any) -> Campaign:
    fields.setdefault("name", f"campaign {next(_serial)}")
    fields.setdefault("schedule", {"at": "2026-11-23T10:00:00+08:00"})
    fields.setdefault("text", "您好 {{ customer.display_name }}")
    fields.setdefault("status", CampaignStatus.SCHEDULED)
    return await Campaign.create(kind=kind, **fields)


async def outcomes(run_id: int) -> dict[int, tuple[str, str | None]]:
    """customer id -> (status, reason) of the run's deliveries."""
    rows = await CampaignDelivery.filter(run_id=run_id).values("customer_id", "status", "reason")
    return {r["customer_id"]: (str(r["status"]), r["reason"]) for r in rows}


async def pending(run_id: int) -> set[int]:
    return {cid for cid, (status, _) in (await outcomes(run_id)).items() if status == "pending"}
