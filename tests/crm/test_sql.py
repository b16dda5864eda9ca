"""crm.sql: one dialect check, one placeholder renderer, one datetime parameter rule, one keyset
iterator. The renderer must write exactly the text the four renderers it replaced wrote (the
database sees the same statements, so its plans and the benchmarks stay as they were)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tortoise.transactions import in_transaction

from crm import sql
from crm.interactions import _COLUMNS, _JSON_COLUMN
from crm.models import Customer
from crm.segments import service as segments
from tests.crm.conftest import NOW, MakeCustomer

SHANGHAI = timezone(timedelta(hours=8))


# The renderers crm.sql replaced, verbatim from before (crm/interactions, crm/tagging,
# crm/segments/service, crm/importing/bulk, crm/orders, crm/sql.render).
def _old_journal_groups(count: int, postgres: bool) -> str:
    def marks(start: int, n: int) -> list[str]:
        return [f"${start + i}" for i in range(n)] if postgres else ["?"] * n

    groups = []
    for row in range(count):
        row_marks = marks(row * len(_COLUMNS) + 1, len(_COLUMNS))
        if postgres:
            row_marks[_JSON_COLUMN] += "::jsonb"
        groups.append("(" + ", ".join(row_marks) + ")")
    return ", ".join(groups)


def _old_tagging_rows(count: int, postgres: bool) -> str:
    rows = []
    for i in range(count):
        n = i * 4
        rows.append(f"(${n + 1}, ${n + 2}, ${n + 3}, ${n + 4})" if postgres else "(?, ?, ?, ?)")
    return ", ".join(rows)


def _old_touch(count: int, postgres: bool) -> list[str]:
    return [f"${1 + i}" for i in range(count)] if postgres else ["?"] * count


def _old_snapshot_marks(params: int, postgres: bool) -> tuple[str, str]:
    return (f"${params + 1}", f"${params + 2}") if postgres else ("?", "?")


def _old_render(text: str, postgres: bool) -> str:
    if not postgres:
        return text
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", text)


@pytest.mark.parametrize("postgres", [False, True])
def test_the_renderer_writes_what_the_old_ones_did(postgres: bool) -> None:
    for rows in (1, 2, 7, 256):
        casts = {_JSON_COLUMN: "jsonb"}
        groups = sql.value_rows(rows, len(_COLUMNS), postgres, casts=casts)
        assert groups == _old_journal_groups(rows, postgres)
        assert sql.value_rows(rows, 4, postgres) == _old_tagging_rows(rows, postgres)
        assert sql.numbered(rows + 1, postgres) == _old_touch(rows + 1, postgres)
    for params in (0, 3):
        pair = tuple(sql.numbered(2, postgres, start=params + 1))
        assert pair == _old_snapshot_marks(params, postgres)
    assert sql.mark(1, postgres) == ("$1" if postgres else "?")
    statement = f'UPDATE "t" SET "a" = ? WHERE "id" IN ({sql.marks(3)}) AND "b" = CAST(? AS date)'
    assert sql.marks(3) == ", ".join("?" * 3)
    flavour = sql.POSTGRES if postgres else "sqlite"
    assert sql.render(statement, flavour) == _old_render(statement, postgres)


def test_postgres_marks_are_numbered_from_start_with_casts_per_column() -> None:
    assert sql.value_rows(2, 3, True, start=4, casts={2: "jsonb", 0: "bigint"}) == (
        "($4::bigint, $5, $6::jsonb), ($7::bigint, $8, $9::jsonb)"
    )
    assert sql.value_rows(2, 3, False, start=4, casts={2: "jsonb"}) == "(?, ?, ?), (?, ?, ?)"
    assert sql.render("? ?", sql.POSTGRES) == "$1 $2"


async def test_segment_snapshot_statements_are_unchanged(database_url: str) -> None:
    postgres = database_url.startswith("postgres")
    mark = "$1" if postgres else "?"
    assert segments._delete_members_sql() == (
        f'DELETE FROM "segment_member" WHERE "segment_id" = {mark}'
    )
    select = f'SELECT "id" FROM "customer" WHERE "a" = {mark}'
    text, params = segments._insert_members_sql(select, ["a"], 7, NOW)
    head = 'INSERT INTO "segment_member" ("segment_id", "customer_id", "created_at") '
    if postgres:
        assert text == f'{head}SELECT $2, s."id", $3 FROM ({select}) s'
        assert params == ["a", 7, NOW]
    else:
        assert text == f'{head}SELECT ?, s."id", ? FROM ({select}) s'
        assert params == [7, NOW, "a"]


async def test_one_dialect_check_for_a_connection_or_a_transaction(database_url: str) -> None:
    expected = sql.POSTGRES if database_url.startswith("postgres") else "sqlite"
    assert sql.dialect() == expected
    async with in_transaction() as tx:
        assert sql.dialect(tx) == expected
        assert sql.is_postgres(tx) is (expected == sql.POSTGRES)
    assert sql.is_postgres() is (expected == sql.POSTGRES)


def test_datetime_params_are_utc_and_read_back_aware() -> None:
    local = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)
    assert sql.param(local) == NOW and sql.param(local).tzinfo is UTC
    assert sql.param(datetime(2026, 11, 23, 4, 0)) == NOW  # naive means UTC
    assert sql.param(5) == 5
    assert sql.as_datetime("2026-11-23 04:00:00+00:00") == NOW
    assert sql.as_datetime("2026-11-23T04:00:00") == NOW
    assert sql.as_datetime(NOW) is NOW


async def test_a_local_time_compares_with_stored_utc_text(make_customer: MakeCustomer) -> None:
    """SQLite compares datetimes as text: a +08:00 parameter must be turned into UTC first
    (as text, 11:59:59+08:00 sorts after the stored 04:00:00+00:00 although it is earlier)."""
    c = await make_customer(last_active_at=NOW)
    just_before = datetime(2026, 11, 23, 11, 59, 59, tzinfo=SHANGHAI)  # one second before NOW
    query = 'SELECT "id", "last_active_at" AS at FROM "customer" WHERE "last_active_at" {} ?'
    assert await sql.fetch(query.format("<"), [just_before]) == []
    stored = await sql.fetch(query.format(">="), [just_before])
    assert stored[0]["id"] == c.id and sql.as_datetime(stored[0]["at"]) == NOW
    assert await sql.execute('UPDATE "customer" SET "city" = ? WHERE "last_active_at" < ?',
                             ["上海", just_before]) == 0  # fmt: skip


async def test_keyset_iteration_streams_in_id_order_while_rows_go(
    make_customer: MakeCustomer,
) -> None:
    made = [(await make_customer()).id for _ in range(7)]
    qs = Customer.filter(merged_into_id__isnull=True)
    assert [b async for b in sql.iter_keyset(qs, 3, ids=True)] == [made[:3], made[3:6], made[6:]]
    seen = []
    async for batch in sql.iter_keyset(qs, 3):
        seen.append([c.id for c in batch])
        await Customer.filter(id=made[3]).delete()  # a row going away mid-stream is skipped
    assert seen == [made[:3], made[4:7]]
