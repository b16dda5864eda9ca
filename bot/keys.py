"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.metrics import Metrics
from bot.store import Store
from bot.webhooks.pipeline import Pipeline
from bot.wechat.client import WeChatClients
from crm.interactions import InteractionJournal
from scheduler.leader import Leadership
from scheduler.service import SchedulerService

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
STORE: web.AppKey[Store] = web.AppKey("store")
CLIENTS = web.AppKey("clients", WeChatClients)
JOURNAL = web.AppKey("journal", InteractionJournal)
PIPELINE = web.AppKey("pipeline", Pipeline)
SCHEDULER = web.AppKey("scheduler", SchedulerService)
LEADERSHIP = web.AppKey("leadership", Leadership)
