"""Seeding for the dispatcher's tests: customers, a running campaign, its run, deliveries
enqueued with one INSERT … SELECT (as crm.campaigns.runs does), and an in-process
dispatcher against the fake WeChat API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.store import MemoryStore, Store
from bot.wechat.client import open_clients
from crm.clock import Clock
from crm.interactions import NewInteraction, journal, write_batch
from crm.models import (
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    CampaignStatus,
    Customer,
    Direction,
)
from crm.sql import execute
from scheduler.dispatch.config import DispatchSettings
from scheduler.dispatcher import Dispatcher

TEMPLATE = {"template_id": "tpl-birthday", "data": {"thing1": "{{ customer.display_name }}"}}


async def customer(name: str, **fields: Any) -> Customer:
    defaults: dict[str, Any] = {"openid": f"o-{name}", "subscribed": True, "display_name": name}
    return await Customer.create(**{**defaults, **fields})


async def campaign(
    *,
    text: str = "{{ customer.display_name }}，生日快乐！",
    template: dict | None = None,
    **fields: Any,
) -> Campaign:
    values: dict[str, Any] = {
        "name": "生日祝福", "kind": CampaignKind.BIRTHDAY, "status": CampaignStatus.RUNNING,
        "schedule": {"birthday": {"days_before": 0, "at": "10:00"}},
    }  # fmt: skip
    return await Campaign.create(**{**values, **fields}, text=text, template_message=template)


async def enqueue(
    target: Campaign,
    clock: Clock,
    *,
    dry_run: bool = False,
    due_at: datetime | None = None,
    key: str = "2026-12-01",
) -> CampaignRun:
    """A run holding every customer, enqueued set-based."""
    now = clock.now()
    run = await CampaignRun.create(
        campaign=target, run_key=key, run_date=now.date(), started_at=now, dry_run=dry_run
    )
    sql = (
        "INSERT INTO campaign_delivery (run_id, campaign_id, customer_id, status, marketing, "
        "due_at, attempts, created_at, updated_at) "
        "SELECT ?, ?, id, 'pending', TRUE, ?, 0, ?, ? FROM customer WHERE merged_into_id IS NULL"
    )
    await execute(sql, [run.id, target.id, due_at or now, now, now])
    return run


async def activity(
    target: Customer, clock: Clock, kind: str = "text", *, ago: float = 0, out: bool = False
) -> None:
    """An interaction `ago` seconds back (inbound unless `out`)."""
    direction = Direction.OUT if out else Direction.IN
    at = clock.now() - timedelta(seconds=ago)
    await write_batch([NewInteraction("oa", direction, kind, target.id, created_at=at)])


async def status_of(target: Customer) -> CampaignDelivery:
    return await CampaignDelivery.get(customer=target)


@asynccontextmanager
async def dispatcher(
    settings: Settings,
    clock: Clock,
    *,
    store: Store | None = None,
    worker: str = "test-worker",
    **overrides: Any,
) -> AsyncIterator[Dispatcher]:
    store = store or MemoryStore()
    dispatch = DispatchSettings(**{"backoff_seconds": 30.0, **overrides})
    clients = await open_clients(settings.wechat.oa, settings.wechat.wecom, store)
    try:
        async with journal() as journal_:
            yield Dispatcher(clients, journal_, store, dispatch, clock=clock, worker=worker)
    finally:
        await clients.close()
