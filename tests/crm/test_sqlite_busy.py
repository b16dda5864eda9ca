"""SQLite beside another process (`siyu import` while `siyu serve` runs): a write waits for the
other's short write transaction instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from crm.database import close_database, open_database, sqlite_path
from crm.models import Tag


@pytest.fixture
async def database_url(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[str]:
    """Always SQLite, in both test passes: these are SQLite's own file locks."""
    shutil.copy(sqlite_template, tmp_path / "siyu.sqlite3")
    url = f"sqlite://{tmp_path}/siyu.sqlite3"
    await open_database(url)
    yield url
    await close_database()

HELD = 0.3  # seconds the other process keeps its write transaction open


def _other_process_writes(url: str, name: str, began: threading.Event, hold: float) -> None:
    path = sqlite_path(url)
    assert path is not None
    other = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO tag (name, created_at) VALUES (?, '2026-01-01')", (name,))
        began.set()
        threading.Event().wait(hold)
        other.execute("COMMIT")
    finally:
        other.close()


async def test_a_write_waits_for_the_other_process_short_write(database_url: str) -> None:
    began = threading.Event()
    other = asyncio.create_task(
        asyncio.to_thread(_other_process_writes, database_url, "theirs", began, HELD)
    )
    assert await asyncio.to_thread(began.wait, 5)
    await Tag.create(name="ours")
    await other
    assert sorted(await Tag.all().values_list("name", flat=True)) == ["ours", "theirs"]


async def test_a_read_then_write_transaction_does_not_fail_on_a_newer_commit(
    database_url: str,
) -> None:
    """A deferred transaction that read before another process committed cannot write any more
    (SQLITE_BUSY_SNAPSHOT, no busy wait): siyu's transactions take the write lock at BEGIN."""
    began, other = threading.Event(), None
    async with in_transaction():
        assert await Tag.all().count() == 0
        other = asyncio.create_task(
            asyncio.to_thread(_other_process_writes, database_url, "theirs", began, 0)
        )
        await asyncio.sleep(0.2)  # the other process tries to write meanwhile
        await Tag.create(name="ours")
    await other
    assert sorted(await Tag.all().values_list("name", flat=True)) == ["ours", "theirs"]
