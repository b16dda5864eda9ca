"""/healthz and /metrics: what a load balancer, an operator and Prometheus read.

/healthz answers 503 while the database or the store does not answer (so a balancer stops
sending callbacks here), and shows who runs the scheduler and when its lease was last
renewed; a missing scheduler leader is shown, not failed, since it says nothing about
whether this process can take callbacks.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from tortoise import connections

from bot.keys import JOURNAL, LEADERSHIP, METRICS, SCHEDULER, SETTINGS, STORE
from bot.store import Store
from crm.clock import utcnow
from scheduler.calendar_watch import calendar_status
from scheduler.calendars import HolidayCalendar
from scheduler.leader import current_lease


async def healthz(request: web.Request) -> web.Response:
    store = request.app[STORE]
    problems = [p for p in (await _database_problem(), await _store_problem(store)) if p]
    body = {
        "status": "fail" if problems else "ok",
        "problems": problems,
        "scheduler": await _scheduler(request.app, store),
        "calendar": _calendar(request.app),
    }
    return web.json_response(body, status=503 if problems else 200)


async def metrics(request: web.Request) -> web.Response:
    journal = request.app[JOURNAL]
    body = request.app[METRICS].render({"journal_batches": journal.batches})
    return web.Response(text=body, content_type="text/plain", charset="utf-8")


async def _database_problem() -> str | None:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:
        return f"database: {_cause(exc)}"
    return None


async def _store_problem(store: Store) -> str | None:
    try:
        await store.ping()
    except Exception as exc:
        return f"store: {_cause(exc)}"
    return None


async def _scheduler(app: web.Application, store: Store) -> dict[str, Any]:
    """The lease as the store has it (whichever process holds it)."""
    leadership = app.get(LEADERSHIP)
    try:
        lease = await current_lease(store)
    except Exception:
        lease = None  # the store's problem is listed already
    return {
        "leader": lease.holder if lease else None,
        "renewed_at": lease.renewed_at.isoformat() if lease and lease.renewed_at else None,
        "this_process": leadership is not None and leadership.leading,
    }


def _calendar(app: web.Application) -> dict[str, Any]:
    """Whether chinesecalendar knows the public holidays of this year and the lookahead's
    (shown, not failed: holiday campaigns skip the unknown year, the rest works)."""
    settings = app[SETTINGS]
    service = app.get(SCHEDULER)
    calendar = service.calendar if service else HolidayCalendar(settings.scheduler.brand_dates)
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    return calendar_status(calendar, today, settings.scheduler.calendar_lookahead_days)


def _cause(exc: BaseException) -> str:
    """The underlying error's name (a store error wraps redis-py's); never its text."""
    return type(exc.__cause__ or exc).__name__
