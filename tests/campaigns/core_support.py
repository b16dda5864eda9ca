"""Helpers of the core campaign tests (service, render, stats, CLI)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crm.actors import Actor
from crm.campaigns.service import create_campaign
from crm.campaigns.spec import parse_spec
from crm.models.campaigns import Campaign

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ACTOR = Actor.system("test")


def campaign_file(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "双十二预热",
        "kind": "custom",
        "segment": {"field": "tag", "value": "vip"},
        "text": "{{ customer.display_name }}，您好",
        "schedule": {"cron": "0 10 * * *"},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


async def make_campaign(**changes: Any) -> Campaign:
    return await create_campaign(parse_spec(campaign_file(**changes)), actor=ACTOR)
