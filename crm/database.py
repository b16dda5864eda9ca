"""Database lifecycle: Tortoise config from one URL, open/close, and schema migrations."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.api import plan as tortoise_plan

APP = "siyu"
MODELS = ["crm.models"]
MIGRATIONS = "crm.migrations"
_SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": "5000"}


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite://"):
        return None
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def _with_sqlite_pragmas(url: str) -> str:
    query = urlsplit(url).query
    missing = [f"{k}={v}" for k, v in _SQLITE_PRAGMAS.items() if f"{k}=" not in query]
    if not missing:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(missing)


def _connection(url: str) -> str | dict[str, Any]:
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        config = expand_db_url(url)
        config["credentials"]["reset"] = _reset_if_in_transaction
        return config
    if not url.startswith("sqlite://"):
        return url
    return {**expand_db_url(_with_sqlite_pragmas(url)), "engine": "crm.sqlite_engine"}


async def _reset_if_in_transaction(connection: Any) -> None:
    """asyncpg's pool resets every connection it takes back with one more statement (RESET
    ALL, UNLISTEN, CLOSE ALL, advisory unlock): a round trip per query, 6 % of a campaign
    worker's CPU. siyu sets only SET LOCAL and holds no session state, so only a connection
    left inside a transaction needs it (the reset then rolls back first)."""
    if connection.is_in_transaction():
        await connection.reset()


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(url)},
        "apps": {APP: {"models": MODELS, "migrations": MIGRATIONS}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


_opened: dict[str, int] = {}


async def open_database(url: str) -> None:
    """Open Tortoise on `url`; opening an already open URL shares it (several apps in one
    process, as in tests and the demo). Each open is paired with a close."""
    if _opened.get(url):
        _opened[url] += 1
        return
    if _opened:
        raise RuntimeError(f"another database is open in this process: {list(_opened)}")
    _ensure_sqlite_dir(url)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    _opened[url] = 1


async def close_database() -> None:
    for url, count in list(_opened.items()):
        if count > 1:
            _opened[url] = count - 1
            return
        del _opened[url]
    await Tortoise.close_connections()


def is_open(url: str) -> bool:
    return bool(_opened.get(url))


@contextlib.asynccontextmanager
async def database(url: str) -> AsyncIterator[None]:
    """The database open for the block: what a web process and a worker both run inside.
    SQLite is migrated in place first (embedded mode: one process owns the file);
    PostgreSQL is upgraded by `siyu migrate`, never at start-up."""
    if sqlite_path(url) is not None and not is_open(url):
        await migrate(url)
        await close_database()
    await open_database(url)
    try:
        yield
    finally:
        await close_database()


async def migrate(url: str) -> None:
    """Create or upgrade the schema with Tortoise's own migrations (crm/migrations).
    Run it before opening the database: it initialises Tortoise itself."""
    if _opened:
        raise RuntimeError("close the database before migrating")
    _ensure_sqlite_dir(url)
    await tortoise_migrate(config=tortoise_config(url))


async def pending_migrations(url: str) -> list[str]:
    """The migrations `siyu migrate` would apply (empty when the schema is current)."""
    if _opened:
        raise RuntimeError("close the database before planning migrations")
    with contextlib.redirect_stdout(io.StringIO()):  # the planner prints its plan
        lines = await tortoise_plan(config=tortoise_config(url))
    await Tortoise.close_connections()
    return [line[2:] for line in lines if line.startswith("+ ")]
