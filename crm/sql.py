"""Raw SQL where Tortoise has no expression for it (window functions, UPDATE … FROM, COPY), and
the one place that knows how the two databases differ in it: the dialect, placeholders
(`?` on SQLite, `$1, $2, …` on PostgreSQL), datetimes (SQLite keeps them as UTC text) and
keyset iteration over large tables.

Statements are written once with `?` placeholders and rendered for the current dialect; hot
paths that build a statement per call (the journal's multi-row INSERT) take rendered marks
straight from `numbered` / `value_rows` (VALUES groups are cached per shape)."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, overload

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

POSTGRES = "postgres"
MARK = "?"
_MARK = re.compile(re.escape(MARK))
M = TypeVar("M", bound=Model)


def dialect(conn: BaseDBAsyncClient | None = None) -> str:
    """The dialect ("sqlite" or "postgres") of `conn` (a transaction counts) or the default."""
    return str((conn or connections.get("default")).capabilities.dialect)


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return dialect(conn) == POSTGRES


def mark(position: int, postgres: bool) -> str:
    """The placeholder for the `position`-th parameter (1-based)."""
    return f"${position}" if postgres else MARK


def marks(count: int) -> str:
    """`?, ?, ?`: unrendered marks for a statement that goes through `render`."""
    return ", ".join([MARK] * count)


def render(sql: str, flavour: str | None = None) -> str:
    """`?` placeholders become `$1, $2, …` on PostgreSQL."""
    if (flavour or dialect()) != POSTGRES:
        return sql
    counter = itertools.count(1)
    return _MARK.sub(lambda _: mark(next(counter), True), sql)


def numbered(count: int, postgres: bool, start: int = 1) -> list[str]:
    """Rendered marks for parameters `start` … `start + count - 1`."""
    return [mark(start + i, postgres) for i in range(count)]


@functools.lru_cache(maxsize=1024)
def _value_rows(
    rows: int, width: int, postgres: bool, start: int, casts: tuple[tuple[int, str], ...]
) -> str:
    typed = dict(casts) if postgres else {}
    groups = []
    for row in range(rows):
        row_marks = numbered(width, postgres, start + row * width)
        for column, pg_type in typed.items():
            row_marks[column] += f"::{pg_type}"
        groups.append("(" + ", ".join(row_marks) + ")")
    return ", ".join(groups)


def value_rows(
    rows: int,
    width: int,
    postgres: bool,
    start: int = 1,
    casts: Mapping[int, str] | None = None,
) -> str:
    """`(?, ?), (?, ?)`, or on PostgreSQL `($1, $2::jsonb), ($3, $4::jsonb)`: the groups of a
    multi-row VALUES, numbered from `start`; `casts` maps a column index to its PostgreSQL type."""
    return _value_rows(rows, width, postgres, start, tuple(sorted((casts or {}).items())))


def param(value: Any) -> Any:
    """Datetimes are compared as UTC (SQLite stores them as UTC text)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def as_datetime(value: datetime | str) -> datetime:
    """A datetime read by raw SQL: PostgreSQL gives a datetime, SQLite the stored UTC text."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@overload
def iter_keyset(
    qs: QuerySet[M], batch_size: int = ..., *, ids: Literal[False] = ...
) -> AsyncIterator[list[M]]: ...
@overload
def iter_keyset(
    qs: QuerySet[M], batch_size: int = ..., *, ids: Literal[True]
) -> AsyncIterator[list[int]]: ...
async def iter_keyset(
    qs: QuerySet[M], batch_size: int = 1000, *, ids: bool = False
) -> AsyncIterator[list[Any]]:
    """Rows (or only their ids) in id order, `batch_size` at a time, by keyset pagination
    (`id > last ORDER BY id LIMIT n`): constant memory, and safe while rows change."""
    last = 0
    while True:
        page = qs.filter(id__gt=last).order_by("id").limit(batch_size)
        batch: list[Any] = list(await (page.values_list("id", flat=True) if ids else page))
        if not batch:
            return
        yield batch
        last = batch[-1] if ids else batch[-1].pk


async def execute(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> int:
    """Run one statement; returns the number of rows changed."""
    client = conn or connections.get("default")
    values = [param(p) for p in params]
    if is_postgres(client):
        # Tortoise reads the row count of "INSERT 0 5" as 0 (the OID): read the last word.
        async with client.acquire_connection() as raw:
            status = await raw.execute(render(sql, POSTGRES), *values)
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0
    rows, _ = await client.execute_query(sql, values)
    return int(rows)


async def fetch(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    client = conn or connections.get("default")
    return await client.execute_query_dict(render(sql, dialect(client)), [param(p) for p in params])
