"""The aiohttp application: one factory, resources opened and closed in cleanup contexts."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from tortoise import connections

import nlp
from bot.config import Settings
from bot.keys import CLIENTS, JOURNAL, METRICS, PIPELINE, SCHEDULER, SETTINGS, STORE
from bot.messenger import WeChatMessenger
from bot.metrics import Metrics
from bot.store import open_store
from bot.webhooks.dedupe import Claims
from bot.webhooks.oa import OfficialAccountEndpoint
from bot.webhooks.pipeline import Pipeline
from bot.webhooks.wecom import WeComEndpoint
from bot.wechat.client import open_clients
from bot.wechat.crypto import MessageCrypto
from crm import currency, keyword_rules
from crm.database import close_database, is_open, migrate, open_database, sqlite_path
from crm.interactions import InteractionJournal
from crm.tagging import MessageTagger
from handlers.routes import root_router
from scheduler.leader import Leadership
from scheduler.service import SchedulerService

log = logging.getLogger("siyu.app")
KEYWORD_RULES_REFRESH_SECONDS = 60.0


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app.cleanup_ctx.extend(
        [database_ctx, store_ctx, clients_ctx, pipeline_ctx, keyword_rules_ctx, scheduler_ctx]
    )
    app.add_routes(_webhook_routes(settings, app[METRICS]))
    app.add_routes([web.get("/healthz", healthz), web.get("/metrics", metrics)])
    return app


def _webhook_routes(settings: Settings, metrics_: Metrics) -> list[web.RouteDef]:
    oa, wecom = settings.wechat.oa, settings.wechat.wecom
    oa_crypto = MessageCrypto(
        oa.token.get_secret_value(), oa.encoding_aes_key.get_secret_value(), oa.app_id
    )
    wecom_crypto = MessageCrypto(
        wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(), wecom.corp_id
    )
    return [
        *OfficialAccountEndpoint(oa_crypto, settings.server, metrics_).routes(),
        *WeComEndpoint(wecom_crypto, settings.server, metrics_).routes(),
    ]


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    url = app[SETTINGS].database_url
    currency.configure(app[SETTINGS].crm.currency)  # every total-spent sum uses these rates
    if sqlite_path(url) is not None and not is_open(url):
        await migrate(url)  # embedded mode: one process owns the file, so upgrade in place
        await close_database()
    await open_database(url)
    yield
    await close_database()


async def store_ctx(app: web.Application) -> AsyncIterator[None]:
    app[STORE] = open_store(app[SETTINGS].redis_url)
    await app[STORE].ping()
    yield
    await app[STORE].close()


async def clients_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[CLIENTS] = await open_clients(settings.wechat.oa, settings.wechat.wecom, app[STORE])
    yield
    await app[CLIENTS].close()


async def pipeline_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if nlp.default_analyzer().settings != settings.nlp:  # loads jieba and the model once
        nlp.configure(settings.nlp)
    await keyword_rules.reload()
    # The dictionaries and model weights just loaded live as long as the process: keep the
    # garbage collector from walking them on every full pass (those passes showed up as tens
    # of milliseconds in the webhook's p99).
    gc.collect()
    gc.freeze()
    journal = app[JOURNAL] = InteractionJournal()
    app[PIPELINE] = Pipeline(
        claims=Claims(app[STORE]),
        journal=journal,
        router=root_router(),
        settings=settings.conversation,
        state=app[STORE],
        messenger=WeChatMessenger(app[CLIENTS], journal),
        metrics=app[METRICS],
        tagger=MessageTagger(settings.nlp, counter=app[STORE]),
        understand=settings.nlp.enabled,
        timezone=settings.timezone,
        budget_seconds=settings.server.reply_budget_seconds,
    )
    yield
    await app[PIPELINE].drain()
    await journal.drain()


async def keyword_rules_ctx(app: web.Application) -> AsyncIterator[None]:
    """Rules staff change in another process reach this one within a minute."""

    async def refresh() -> None:
        while True:
            await asyncio.sleep(KEYWORD_RULES_REFRESH_SECONDS)
            try:
                await keyword_rules.reload()
            except Exception:
                log.exception("keyword rules could not be reloaded; keeping the current ones")

    task = asyncio.create_task(refresh())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Every process competes for the lease; only the leader runs APScheduler."""
    settings = app[SETTINGS]
    if not settings.scheduler.enabled:
        yield
        return
    service = app[SCHEDULER] = SchedulerService(settings.scheduler, settings.crm, settings.timezone)
    leadership = Leadership(
        app[STORE], service.start, service.stop, settings.scheduler.lease_seconds
    )
    task = asyncio.create_task(leadership.run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def healthz(request: web.Request) -> web.Response:
    problems = []
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:
        problems.append(f"database: {type(exc).__name__}")
    try:
        await request.app[STORE].ping()
    except Exception as exc:
        problems.append(f"store: {type(exc).__name__}")
    status = 503 if problems else 200
    return web.json_response(
        {"status": "fail" if problems else "ok", "problems": problems}, status=status
    )


async def metrics(request: web.Request) -> web.Response:
    journal = request.app[JOURNAL]
    body = request.app[METRICS].render({"journal_batches": journal.batches})
    return web.Response(text=body, content_type="text/plain", charset="utf-8")
