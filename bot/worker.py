"""The work a process does besides answering HTTP, and the resources it needs.

`siyu worker` runs only this; `siyu serve` runs it beside the webhooks unless started with
`--no-worker`. The work is the scheduler (one leader among all processes, elected through
the store) and the campaign dispatcher (every process, sharing runs through claims).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.config import Settings
from bot.store import Store, opened_store
from bot.wechat.client import WeChatClients, wechat_clients
from bot.wechat.messenger import WeChatMessenger
from crm.database import database
from crm.interactions import InteractionJournal, journal
from scheduler.complaint_sla import ComplaintJobs
from scheduler.dispatcher import Dispatcher
from scheduler.notices import admin_notifier
from scheduler.process import Competing, competing_for_lease

log = logging.getLogger("siyu.worker")


@dataclass(frozen=True, slots=True)
class Resources:
    store: Store
    clients: WeChatClients
    journal: InteractionJournal
    messenger: WeChatMessenger


@contextlib.asynccontextmanager
async def opened_resources(settings: Settings) -> AsyncIterator[Resources]:
    """The database, the store, the WeChat clients and the journal, closed in reverse."""
    async with (
        database(settings.database_url),
        opened_store(settings.redis_url, settings.store) as store,
        wechat_clients(settings.wechat.oa, settings.wechat.wecom, store) as clients,
        journal() as journal_,
    ):
        yield Resources(store, clients, journal_, WeChatMessenger(clients, journal_))


@contextlib.asynccontextmanager
async def background_work(
    settings: Settings, store: Store, clients: WeChatClients, journal_: InteractionJournal
) -> AsyncIterator[Competing | None]:
    """The campaign dispatcher and the scheduler candidate, for the block."""
    async with (
        dispatching(settings, store, clients, journal_),
        scheduling(settings, store, clients) as competing,
    ):
        yield competing


@contextlib.asynccontextmanager
async def dispatching(
    settings: Settings, store: Store, clients: WeChatClients, journal_: InteractionJournal
) -> AsyncIterator[Dispatcher | None]:
    """Sends due campaign deliveries until the block ends (the batch in hand finishes)."""
    if not settings.campaigns.enabled:
        yield None
        return
    dispatcher = Dispatcher(clients, journal_, store, settings.campaigns)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    try:
        yield dispatcher
    finally:
        stop.set()
        await task


@contextlib.asynccontextmanager
async def scheduling(
    settings: Settings, store: Store, clients: WeChatClients
) -> AsyncIterator[Competing | None]:
    """Competes for the scheduler lease (unless `scheduler.enabled` is off) for the block;
    the leader notifies the admins through WeCom (a calendar year missing)."""
    if not settings.scheduler.enabled:
        log.info("the scheduler is off (scheduler.enabled: false)")
        yield None
        return
    s = settings.scheduler
    admins = settings.conversation.staff_admins
    notify = admin_notifier(clients.wecom, admins) if s.calendar_notify_admins else None
    on_duty = settings.conversation.on_duty()  # complaint escalations without a team lead
    jobs = ComplaintJobs(clients, on_duty, settings.timezone, settings=settings.complaints)
    async with competing_for_lease(
        s, settings.crm, settings.timezone, store, notify=notify, periodic=jobs.periodic()
    ) as competing:
        yield competing


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Opens the resources, works until `stop` is set, then shuts down in order."""
    async with (
        opened_resources(settings) as resources,
        background_work(settings, resources.store, resources.clients, resources.journal),
    ):
        log.info("worker started")
        await stop.wait()
        log.info("worker stopping")
    log.info("worker stopped")
