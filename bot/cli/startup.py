"""Start-up checks of the commands that serve: each stops with what is wrong and what to do.

They run before the app is built, so an operator reads a line or two instead of a traceback,
and the app's own start-up logs do not bury it. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
from typing import IO, NoReturn
from urllib.parse import urlsplit

import typer

from bot.config import Settings, env_name

EXIT_CONFIG = 2
CONNECT_SECONDS = 10.0
SERVE_PORT = "--port (or server.port, SIYU_SERVER__PORT)"
DEMO_ADVICE = (
    "Set them to your account's values (config.yaml or the SIYU_ variables above), or try siyu "
    "without an account with `siyu demo`; `--insecure-demo-secrets` starts anyway (local tests)."
)


def fail(message: str, *advice: str) -> NoReturn:
    """The problem in red, then what to do; exit code 2 as for a bad configuration."""
    typer.secho(message, fg="red", err=True)
    for line in advice:
        typer.secho(line, err=True)
    raise typer.Exit(EXIT_CONFIG)


def refuse_demo_secrets(settings: Settings, *, insecure: bool) -> None:
    """The shipped demo secrets are public: anyone could sign callbacks with them."""
    keys = settings.demo_secrets()
    if keys and insecure:
        typer.secho(f"warning: serving with the public demo values of {', '.join(keys)}", err=True)
    elif keys:
        listed = [f"  {key} ({env_name(key)})" for key in keys]
        fail("refusing to start: these keys hold siyu's public demo values:", *listed, DEMO_ADVICE)


def check_port(host: str, port: int, choose: str = SERVE_PORT) -> None:
    """Bind and release host:port as aiohttp will, before the app opens anything."""
    try:
        asyncio.run(_bind_once(host, port))
    except OSError as exc:
        fail(listen_error(exc, host, port, choose))


async def _bind_once(host: str, port: int) -> None:
    server = await asyncio.get_running_loop().create_server(asyncio.Protocol, host, port)
    server.close()
    await server.wait_closed()


def listen_error(exc: OSError, host: str, port: int, choose: str = SERVE_PORT) -> str:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        problem, todo = "the port is in use", f"Stop the other process or pick another: {choose}"
    elif exc.errno == errno.EACCES:
        problem, todo = "permission denied", f"Choose a port above 1023: {choose}"
    else:
        problem = exc.strerror or type(exc).__name__
        todo = "Check --host (or server.host, SIYU_SERVER__HOST)"
    return f"cannot listen on {where}: {problem}. {todo}."


_held: list[IO[bytes]] = []  # open for the process lifetime: closing would release the lock


def claim_sqlite(url: str, command: str = "serve") -> None:
    """Embedded mode is one process (serve, demo or worker): hold `<db>.serve.lock` until this
    process exits; a second one on the same file stops with one line."""
    from crm.database import sqlite_path

    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".serve.lock").open("wb")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        fail(sqlite_in_use(str(path), command))
    _held.append(lock)


def sqlite_in_use(path: str, command: str) -> str:
    several = "use PostgreSQL + Redis (SIYU_DATABASE_URL, SIYU_REDIS_URL) to run several."
    if command == "worker":
        return (
            f"{path} is in use by a running siyu serve, demo or worker; with SQLite that one "
            f"process already runs the background work: stop it, or {several}"
        )
    return (
        f"{path} is in use by another siyu serve, demo or worker (SQLite runs in one process); "
        f"stop it, or {several}"
    )


async def require_database(url: str) -> None:
    """Connect once, so an unreachable PostgreSQL is not taken for one without a schema
    (Tortoise's migration planner reads a failed connection as "nothing applied")."""
    from asyncpg import PostgresError
    from tortoise import connections

    from crm.database import close_database, open_database

    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            await open_database(url)
            await connections.get("default").execute_query("SELECT 1")
    except (OSError, PostgresError) as exc:  # TimeoutError is an OSError
        fail(*database_error(url, exc))
    finally:
        await close_database()


def database_error(url: str, exc: Exception) -> tuple[str, str]:
    """What went wrong and what to do, with the host and port but never the password."""
    parts = urlsplit(url)
    where = f"PostgreSQL at {parts.hostname or 'localhost'}:{parts.port or 5432}"
    if not isinstance(exc, OSError):
        reason = str(exc).replace(parts.password, "***") if parts.password else str(exc)
        return f"{where} refused the connection: {reason}.", (
            "Fix the user, password or database name in database_url (SIYU_DATABASE_URL)."
        )
    return f"{where} is unreachable ({_os_reason(exc)}).", (
        "Start it, or fix the host and port in database_url (SIYU_DATABASE_URL)."
    )


def require_store(settings: Settings) -> None:
    """Ping Redis once (when one is configured), so a wrong SIYU_REDIS_URL is one line."""
    from bot.store import StoreUnavailable, opened_store

    async def ping() -> None:
        async with opened_store(settings.redis_url, settings.store):
            pass

    if not settings.redis_url:
        return
    try:
        asyncio.run(ping())
    except StoreUnavailable as exc:
        parts = urlsplit(settings.redis_url)
        where = f"Redis at {parts.hostname or 'localhost'}:{parts.port or 6379}"
        fail(f"{where} is unreachable ({exc}).", "Start it, or fix redis_url (SIYU_REDIS_URL).")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_SECONDS:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return exc.strerror or str(exc) or type(exc).__name__
