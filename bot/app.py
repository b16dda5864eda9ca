"""The aiohttp application: one factory; each resource is opened by the context manager that
lives beside it (crm.database, bot.store, bot.wechat.client, crm.interactions), entered from a
one-line cleanup context. Process-wide set-up is not done here: see bot/startup.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot import health
from bot.api.app import api_app
from bot.config import Settings
from bot.console.routes import routes as console_routes
from bot.keys import CLIENTS, JOURNAL, LEADERSHIP, METRICS, PIPELINE, SCHEDULER, SETTINGS, STORE
from bot.metrics import Metrics
from bot.store import opened_store
from bot.webhooks.dedupe import Claims
from bot.webhooks.oa import OfficialAccountEndpoint
from bot.webhooks.pipeline import Pipeline
from bot.webhooks.wecom import WeComEndpoint
from bot.wechat.client import wechat_clients
from bot.wechat.crypto import MessageCrypto
from bot.wechat.messenger import WeChatMessenger
from bot.worker import background_work
from crm import keyword_rules
from crm.database import database
from crm.interactions import journal
from crm.tagging import MessageTagger
from handlers import surveys
from handlers.routes import root_router


def create_app(settings: Settings, *, worker: bool = True) -> web.Application:
    """The webhooks, /healthz and /metrics; with `worker` (`siyu serve` without --no-worker)
    also the background work `siyu worker` does (bot/worker.py)."""
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app.cleanup_ctx.extend([database_ctx, store_ctx, clients_ctx, pipeline_ctx, keyword_rules_ctx])
    if worker:
        app.cleanup_ctx.append(background_work_ctx)
    app.add_routes(_webhook_routes(settings, app[METRICS]))
    app.add_routes([web.get("/healthz", health.healthz), web.get("/metrics", health.metrics)])
    if settings.api.enabled:
        app.add_subapp("/api/", api_app(settings.api))
        app.add_routes(console_routes())  # /admin: static pages on /api/v1
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
        *OfficialAccountEndpoint(oa_crypto, settings.server, metrics_, oa.mode).routes(),
        *WeComEndpoint(wecom_crypto, settings.server, metrics_).routes(),
    ]


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    async with database(app[SETTINGS].database_url):
        yield


async def store_ctx(app: web.Application) -> AsyncIterator[None]:
    async with opened_store(app[SETTINGS].redis_url, app[SETTINGS].store) as app[STORE]:
        yield


async def clients_ctx(app: web.Application) -> AsyncIterator[None]:
    oa, wecom = app[SETTINGS].wechat.oa, app[SETTINGS].wechat.wecom
    async with wechat_clients(oa, wecom, app[STORE]) as app[CLIENTS]:
        yield


async def pipeline_ctx(app: web.Application) -> AsyncIterator[None]:
    async with journal() as app[JOURNAL]:
        app[PIPELINE] = _pipeline(app)
        surveys.install_triggers(app[SETTINGS].surveys, app[STORE], app[PIPELINE].messenger)
        yield
        await app[PIPELINE].drain()  # its background work may still record interactions


def _pipeline(app: web.Application) -> Pipeline:
    settings = app[SETTINGS]
    return Pipeline(
        claims=Claims(app[STORE]),
        journal=app[JOURNAL],
        router=root_router(),
        settings=settings.conversation,
        state=app[STORE],
        messenger=WeChatMessenger(app[CLIENTS], app[JOURNAL]),
        metrics=app[METRICS],
        tagger=MessageTagger(settings.nlp, counter=app[STORE]),
        understand=settings.nlp.enabled,
        timezone=settings.timezone,
        budget_seconds=settings.server.reply_budget_seconds,
        staff=settings.staff,
    )


async def keyword_rules_ctx(app: web.Application) -> AsyncIterator[None]:
    async with keyword_rules.kept_fresh():
        yield


async def background_work_ctx(app: web.Application) -> AsyncIterator[None]:
    async with background_work(app[SETTINGS], app[STORE], app[CLIENTS], app[JOURNAL]) as competing:
        if competing is not None:
            app[SCHEDULER], app[LEADERSHIP] = competing.service, competing.leadership
        yield
