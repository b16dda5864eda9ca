"""The interaction journal: every message in or out is written once, durably, with group commit.

Many concurrent webhook requests share one transaction: while one batch commits, the next one
collects. Each caller awaits its own row's commit, so nothing is acknowledged before it is on
disk, and a duplicate delivery (same channel + dedupe key) is detected by the database itself.
A batch one row spoils (a value the database refuses) is written again row by row, so that row
fails its own request only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError

from crm.clock import utcnow
from crm.models import Direction, Interaction
from crm.sql import is_postgres, numbered, value_rows

log = logging.getLogger("siyu.journal")

_COLUMNS = (
    "customer_id", "channel", "direction", "kind", "content", "payload", "msg_id",
    "dedupe_key", "sentiment_score", "sentiment_label", "intent", "keywords", "created_at",
)  # fmt: skip
_JSON_COLUMN = _COLUMNS.index("keywords")
_CONFLICT = "ON CONFLICT (channel, dedupe_key) DO NOTHING RETURNING channel, dedupe_key"
_INSERT = f"INSERT INTO interaction ({', '.join(_COLUMNS)}) VALUES {{rows}} {_CONFLICT}"
# PostgreSQL: one array per column, so the statement is the same text for any batch size and
# is planned once (a VALUES list is a new statement for each batch size).
_PG_TYPES = (
    "bigint", "text", "text", "text", "text", "text", "text", "text", "float8", "text", "text",
    "text", "timestamptz",
)  # fmt: skip


def _unnest_insert() -> str:
    names = [f"c{i}" for i in range(len(_COLUMNS))]
    picked = [f"{n}::jsonb" if i == _JSON_COLUMN else n for i, n in enumerate(names)]
    arrays = [f"${i}::{pg_type}[]" for i, pg_type in enumerate(_PG_TYPES, 1)]
    return (
        f"INSERT INTO interaction ({', '.join(_COLUMNS)}) SELECT {', '.join(picked)} "
        f"FROM unnest({', '.join(arrays)}) AS t({', '.join(names)}) {_CONFLICT}"
    )


_INSERT_PG = _unnest_insert()
# Columns whose value can come from the callback itself; longer values are cut to fit. The
# dedupe key is never cut (that would merge two keys): handlers/identity.py bounds it.
_BOUNDED = tuple(
    (_COLUMNS.index(name), Interaction._meta.fields_map[name].max_length)  # type: ignore[attr-defined]
    for name in ("kind", "msg_id")
)
# A statement the database refused because of a value; anything else (connection lost,
# timeout) would fail each row the same way, so the batch is not retried row by row.
_ROW_ERRORS = (IntegrityError, OperationalError)


@dataclass(frozen=True, slots=True)
class NewInteraction:
    channel: str
    direction: Direction
    kind: str
    customer_id: int | None = None
    content: str | None = None
    payload: str | None = None
    msg_id: str | None = None
    dedupe_key: str | None = None
    sentiment_score: float | None = None
    sentiment_label: str | None = None
    intent: str | None = None
    keywords: tuple[str, ...] | None = None
    created_at: datetime = field(default_factory=utcnow)

    def row(self) -> list[Any]:
        values = [getattr(self, name) for name in _COLUMNS]
        values[2] = self.direction.value
        if self.keywords is not None:
            values[_JSON_COLUMN] = json.dumps(list(self.keywords), ensure_ascii=False)
        for index, limit in _BOUNDED:
            if values[index] is not None and len(values[index]) > limit:
                values[index] = values[index][:limit]
        return values


Batch = list[tuple[NewInteraction, asyncio.Future[bool]]]


def _fail(batch: Batch, exc: Exception) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)


def _succeed(batch: Batch, fresh: list[bool]) -> None:
    for (_, future), is_new in zip(batch, fresh, strict=True):
        if not future.done():
            future.set_result(is_new)


class InteractionJournal:
    """Group commit writer. `record()` returns True when the row is new, False for a duplicate."""

    def __init__(self, max_batch: int = 256, activity: ActivityClock | None = None) -> None:
        self._max_batch = max_batch
        self._activity = activity or ActivityClock()
        self._pending: Batch = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0

    async def record(self, item: NewInteraction) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            await self._flush(batch)

    async def _flush(self, batch: Batch) -> None:
        items = [item for item, _ in batch]
        touch = self._activity.due(items)
        try:
            fresh = await write_batch(items, touch)
        except _ROW_ERRORS as exc:
            if len(batch) == 1:
                _fail(batch, exc)
                return
            log.warning("a batch of %d failed (%s): writing it row by row", len(batch), exc)
            await self._write_each(batch, touch)
        except Exception as exc:  # every waiter gets the failure and answers 5xx
            _fail(batch, exc)
        else:
            self.batches += 1
            _succeed(batch, fresh)

    async def _write_each(self, batch: Batch, touch: dict[int, datetime]) -> None:
        for index, (item, future) in enumerate(batch):
            cid = item.customer_id
            try:
                fresh = await write_batch([item], {cid: touch[cid]} if cid in touch else None)
            except _ROW_ERRORS as exc:
                _fail([(item, future)], exc)
            except Exception as exc:  # the database itself went away: the rest fail alike
                _fail(batch[index:], exc)
                return
            else:
                self.batches += 1
                _succeed([(item, future)], fresh)

    async def drain(self) -> None:
        """Wait for everything queued so far (shutdown)."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)


class ActivityClock:
    """Which customers' last_active_at is due for a write: a chatty customer costs one UPDATE
    per `resolution` seconds, not one per message. Process-local, bounded."""

    def __init__(self, resolution: float = 60.0, size: int = 100_000) -> None:
        self.resolution = resolution
        self._size = size
        self._written: dict[int, datetime] = {}

    def due(self, items: Sequence[NewInteraction]) -> dict[int, datetime]:
        latest: dict[int, datetime] = {}
        for item in items:
            if item.direction is Direction.IN and item.customer_id is not None:
                latest[item.customer_id] = item.created_at
        due = {cid: at for cid, at in latest.items() if self._stale(cid, at)}
        if len(self._written) + len(due) > self._size:
            self._written.clear()
        self._written.update(due)
        return due

    def _stale(self, customer_id: int, at: datetime) -> bool:
        written = self._written.get(customer_id)
        return written is None or (at - written).total_seconds() >= self.resolution


async def write_batch(
    items: Sequence[NewInteraction], touch: dict[int, datetime] | None = None
) -> list[bool]:
    """One multi-row INSERT (atomic on its own, so no BEGIN/COMMIT round trips); a row whose
    (channel, dedupe_key) exists is skipped. last_active_at follows in a second statement:
    a crash between the two leaves it a moment stale, never loses a message."""
    conn = connections.get("default")
    inserted = await _insert(conn, items)
    if touch:
        await _touch_customers(conn, touch)
    return _first_of_each(items, inserted)


def _first_of_each(items: Sequence[NewInteraction], inserted: set[tuple[str, str]]) -> list[bool]:
    """A key the insert returned is new for its first item only (one batch may repeat a key)."""
    fresh = []
    for item in items:
        key = (item.channel, item.dedupe_key or "")
        is_new = item.dedupe_key is None or key in inserted
        inserted.discard(key)
        fresh.append(is_new)
    return fresh


async def _insert(conn: BaseDBAsyncClient, items: Sequence[NewInteraction]) -> set[tuple[str, str]]:
    if is_postgres(conn):
        columns = [list(column) for column in zip(*(item.row() for item in items), strict=True)]
        rows = await conn.execute_query_dict(_INSERT_PG, columns)
    else:
        values: list[Any] = [value for item in items for value in item.row()]
        groups = value_rows(len(items), len(_COLUMNS), False)
        rows = await conn.execute_query_dict(_INSERT.format(rows=groups), values)
    return {(row["channel"], row["dedupe_key"]) for row in rows if row["dedupe_key"]}


async def _touch_customers(conn: BaseDBAsyncClient, touch: dict[int, datetime]) -> None:
    """One UPDATE a batch: a batch spans milliseconds, so its newest time serves all."""
    ids, newest = sorted(touch), max(touch.values())
    if is_postgres(conn):  # one statement text for any batch (see _INSERT_PG)
        sql = "UPDATE customer SET last_active_at = $1 WHERE id = ANY($2::bigint[])"
        await conn.execute_query(sql, [newest, ids])
        return
    first, *rest = numbered(len(ids) + 1, False)
    sql = f"UPDATE customer SET last_active_at = {first} WHERE id IN ({', '.join(rest)})"
    await conn.execute_query(sql, [newest, *ids])


@asynccontextmanager
async def journal(max_batch: int = 256) -> AsyncIterator[InteractionJournal]:
    """A journal for the block; on the way out, everything queued is committed first."""
    opened = InteractionJournal(max_batch)
    try:
        yield opened
    finally:
        await opened.drain()
