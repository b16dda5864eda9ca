"""`siyu worker`: the background work without HTTP, until SIGTERM or Ctrl+C."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from bot.cli import startup
from bot.cli.app import ConfigOption, app
from bot.cli.server import _check_schema, settings_or_exit, setup_logging
from bot.config import Settings


@app.command()
def worker(config: Path | None = ConfigOption) -> None:
    """Run the background work (the scheduler, one leader among all processes) without HTTP."""
    from bot.startup import prepare_process

    settings = settings_or_exit(config)
    startup.claim_sqlite(settings.database_url, "worker")
    setup_logging()
    if not settings.redis_url:
        _warn_alone()
    asyncio.run(_check_schema(settings.database_url))
    startup.require_store(settings)
    prepare_process(settings)
    asyncio.run(_until_signalled(settings))


def _warn_alone() -> None:
    logging.getLogger("siyu.worker").warning(
        "no redis_url: the scheduler lease is this process's alone; with `siyu serve` or "
        "other workers beside it, set SIYU_REDIS_URL so one of them leads"
    )


async def _until_signalled(settings: Settings) -> None:
    from bot.worker import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(settings, stop)
