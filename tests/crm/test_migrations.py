"""Data migrations keep stored values in step with renamed names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate as tortoise_migrate

from crm.database import tortoise_config


async def _migrate(url: str, target: str | None = None) -> None:
    await tortoise_migrate(config=tortoise_config(url), target=target)
    await Tortoise.close_connections()


def _insert_tags(path: Path, *names: str) -> None:
    with sqlite3.connect(path) as db:
        sql = 'INSERT INTO "tag" ("name", "created_at") VALUES (?, ?)'
        db.executemany(sql, [(name, "2026-01-01 00:00:00+00:00") for name in names])


def _tags(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute('SELECT "name" FROM "tag" ORDER BY "id"')]


async def test_the_old_sentiment_tag_takes_its_new_name(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    await _migrate(url, "siyu.0004_uncontactable_index")
    _insert_tags(path, "流失风险", "流失预警")
    await _migrate(url)
    assert _tags(path) == ["持续不满", "流失预警"]  # the lifecycle's tag is another thing


async def test_an_existing_tag_of_the_new_name_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "both.sqlite3"
    url = f"sqlite://{path}"
    await _migrate(url, "siyu.0004_uncontactable_index")
    _insert_tags(path, "流失风险", "持续不满")
    await _migrate(url)
    assert _tags(path) == ["流失风险", "持续不满"]
