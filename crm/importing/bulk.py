"""Multi-row SQL for the importers: one INSERT … ON CONFLICT DO NOTHING (or one UPDATE … FROM
VALUES) per batch instead of a statement and an ORM object per row. The same text runs on
SQLite and PostgreSQL (`?` marks rendered by crm.sql)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from crm.sql import MARK, execute, fetch, is_postgres, marks

# asyncpg and SQLite both accept a little under 32,768 parameters in one statement.
_MAX_PARAMS = 30_000


def chunks(rows: Sequence[Sequence[Any]], width: int) -> Iterator[Sequence[Sequence[Any]]]:
    size = max(1, _MAX_PARAMS // max(width, 1))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def insert_ignoring_conflicts(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], returning: str = ""
) -> list[dict[str, Any]]:
    """Insert every row that violates no unique constraint; the others are skipped (the
    importers read that as "already there"). With `returning`, the inserted rows' columns."""
    names = ", ".join(f'"{c}"' for c in columns)
    one = f"({marks(len(columns))})"
    tail = f" RETURNING {returning}" if returning else ""
    inserted: list[dict[str, Any]] = []
    for chunk in chunks(rows, len(columns)):
        sql = f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * len(chunk))} '
        sql += f"ON CONFLICT DO NOTHING{tail}"
        params = [value for row in chunk for value in row]
        if returning:
            inserted += await fetch(sql, params)
        else:
            await execute(sql, params)
    return inserted


def values_table(columns: Sequence[tuple[str, str]], count: int) -> str:
    """`(SELECT column1 AS "a", … FROM (VALUES (?, …), …))`: rows of parameters usable in FROM.
    PostgreSQL cannot infer their types there, so the first row's marks carry casts."""
    first = ", ".join(_typed(pg_type) for _, pg_type in columns)
    rest = f"({marks(len(columns))})"
    rows = ", ".join([f"({first})"] + [rest] * (count - 1))
    names = ", ".join(f'column{i} AS "{name}"' for i, (name, _) in enumerate(columns, 1))
    return f"(SELECT {names} FROM (VALUES {rows}) AS t)"


def _typed(pg_type: str) -> str:
    return f"CAST({MARK} AS {pg_type})" if is_postgres() else MARK


def json_param(pg_mark: str = MARK) -> str:
    """A JSON text parameter as the column type (jsonb on PostgreSQL, text on SQLite)."""
    return f"CAST({pg_mark} AS jsonb)" if is_postgres() else pg_mark
