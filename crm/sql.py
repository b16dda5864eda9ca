"""Raw SQL where Tortoise has no expression for it (window functions, UPDATE … FROM, COPY).

Statements are written once with `?` placeholders and rendered for the current dialect."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from crm.database import dialect

_MARK = re.compile(r"\?")


def render(sql: str, flavour: str | None = None) -> str:
    """`?` placeholders become `$1, $2, …` on PostgreSQL."""
    if (flavour or dialect()) != "postgres":
        return sql
    counter = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(counter)}", sql)


def param(value: Any) -> Any:
    """Datetimes are compared as UTC (SQLite stores them as UTC text)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


async def execute(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> int:
    """Run one statement; returns the number of rows changed."""
    client = conn or connections.get("default")
    values = [param(p) for p in params]
    if is_postgres():
        # Tortoise reads the row count of "INSERT 0 5" as 0 (the OID): read the last word.
        async with client.acquire_connection() as raw:
            status = await raw.execute(render(sql), *values)
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0
    rows, _ = await client.execute_query(render(sql), values)
    return int(rows)


async def fetch(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    client = conn or connections.get("default")
    return await client.execute_query_dict(render(sql), [param(p) for p in params])


def is_postgres() -> bool:
    return dialect() == "postgres"
