"""Readable ticket numbers: `C` + local date + `-` + a 4-digit daily sequence.

The sequence is one counter row per local day, bumped by a single upsert that returns the
new value: the database serialises concurrent bumps (a row lock on PostgreSQL, the write
lock on SQLite), so two processes never get the same number; the unique `complaint.number`
is the guard behind it. A day past 9999 tickets simply gets wider numbers."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from crm import sql
from crm.transactions import BaseDBAsyncClient

PREFIX = "C"
_BUMP = (
    'INSERT INTO "complaint_counter" ("day", "seq") VALUES (?, 1) '
    'ON CONFLICT ("day") DO UPDATE SET "seq" = "complaint_counter"."seq" + 1 RETURNING "seq"'
)
_TYPED = re.compile(r"^[Cc]?(\d{8})-?(\d{4,})$")


def local_day(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y%m%d")


async def next_number(at: datetime, timezone: str, conn: BaseDBAsyncClient) -> str:
    """The next free number of `at`'s local day, inside the caller's transaction."""
    day = local_day(at, timezone)
    [row] = await sql.fetch(_BUMP, [day], conn=conn)
    return f"{PREFIX}{day}-{int(row['seq']):04d}"


def normalise(typed: str) -> str | None:
    """`C20261201-0007`, `c20261201-0007`, `20261201-0007`, `202612010007` -> the stored form;
    None when it is no ticket number."""
    match = _TYPED.match(typed.strip())
    if match is None:
        return None
    return f"{PREFIX}{match.group(1)}-{match.group(2)}"
