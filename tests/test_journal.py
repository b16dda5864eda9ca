"""Group commit: concurrent records share transactions, duplicates are caught by the database."""

from __future__ import annotations

import asyncio

from tortoise import connections
from tortoise.exceptions import IntegrityError, OperationalError

from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Customer, Direction, Interaction


async def test_concurrent_records_share_batches(database_url: str) -> None:
    customer = await Customer.create(openid="o-journal")
    journal = InteractionJournal()
    items = [
        NewInteraction(
            "oa",
            Direction.IN,
            "text",
            customer.id,
            content=f"第{i}条",
            dedupe_key=f"msg:{i}",
            keywords=("积分", f"k{i}"),
        )
        for i in range(200)
    ]
    results = await asyncio.gather(*(journal.record(item) for item in items))
    assert all(results)
    assert await Interaction.all().count() == 200
    assert journal.batches < 20  # many requests per transaction, not one each
    row = await Interaction.get(dedupe_key="msg:7")
    assert row.keywords == ["积分", "k7"] and row.content == "第7条"
    assert (await Customer.get(id=customer.id)).last_active_at is not None


async def test_duplicates_detected_in_and_across_batches(database_url: str) -> None:
    journal = InteractionJournal()
    item = NewInteraction("oa", Direction.IN, "text", None, content="hi", dedupe_key="msg:1")
    first, second = await asyncio.gather(journal.record(item), journal.record(item))
    assert sorted([first, second]) == [False, True]
    assert await journal.record(item) is False
    # the same key on another channel is a different message
    assert await journal.record(NewInteraction("wecom", Direction.IN, "text", dedupe_key="msg:1"))
    # outbound pushes have no key and are always new
    push = NewInteraction("oa", Direction.OUT, "push:text", content="x")
    assert await journal.record(push) and await journal.record(push)
    assert await Interaction.all().count() == 4


def _broken(key: str) -> NewInteraction:
    """A row every database refuses (kind is NOT NULL), so this fails on SQLite as well."""
    return NewInteraction("oa", Direction.IN, None, dedupe_key=key)  # type: ignore[arg-type]


async def test_failure_reaches_every_waiter(database_url: str) -> None:
    journal = InteractionJournal()
    results = await asyncio.gather(
        *(journal.record(_broken(f"bad:{i}")) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(result, IntegrityError) for result in results)
    assert await Interaction.all().count() == 0


async def test_one_bad_row_fails_only_its_own_request(database_url: str) -> None:
    journal = InteractionJournal()
    good = [NewInteraction("oa", Direction.IN, "text", dedupe_key=f"msg:{i}") for i in range(59)]
    items = [*good[:30], _broken("bad"), *good[30:]]
    results = await asyncio.gather(*(journal.record(i) for i in items), return_exceptions=True)
    assert isinstance(results[30], IntegrityError)
    assert results[:30] + results[31:] == [True] * 59
    assert await Interaction.all().count() == 59
    # a duplicate inside a retried batch is still a duplicate
    again = await asyncio.gather(
        journal.record(good[0]), journal.record(_broken("bad2")), return_exceptions=True
    )
    assert again[0] is False and isinstance(again[1], IntegrityError)


async def test_long_fields(database_url: str) -> None:
    """Callback input that can exceed a column is bounded before the INSERT; a key that is
    still too long (PostgreSQL enforces varchar(160), SQLite does not) fails only its own row."""
    postgres = connections.get("default").capabilities.dialect == "postgres"
    journal = InteractionJournal()
    long_kind = NewInteraction(
        "oa", Direction.IN, "event:" + "x" * 500, msg_id="9" * 100, dedupe_key="k:1"
    )
    too_long_key = NewInteraction("oa", Direction.IN, "text", dedupe_key="k:" + "y" * 200)
    fine = NewInteraction("oa", Direction.IN, "text", dedupe_key="k:2")
    results = await asyncio.gather(
        *(journal.record(i) for i in (long_kind, too_long_key, fine)), return_exceptions=True
    )
    assert results[0] is True and results[2] is True
    if postgres:
        assert isinstance(results[1], OperationalError)
    else:
        assert results[1] is True
    row = await Interaction.get(dedupe_key="k:1")
    assert row.kind == ("event:" + "x" * 500)[:48] and row.msg_id == "9" * 32


def test_analysis_labels_fit_their_columns() -> None:
    """sentiment_label and intent come from nlp's enums, not from WeChat: they must fit."""
    from nlp.analysis import Intent, SentimentLabel

    columns = Interaction._meta.fields_map
    assert max(len(i.value) for i in Intent) <= columns["intent"].max_length  # type: ignore[attr-defined]
    assert max(len(s.value) for s in SentimentLabel) <= columns["sentiment_label"].max_length  # type: ignore[attr-defined]


def test_activity_clock_writes_a_chatty_customer_once_a_minute() -> None:
    from datetime import timedelta

    from crm.clock import utcnow
    from crm.interactions import ActivityClock

    clock = ActivityClock(resolution=60)
    now = utcnow()

    def msg(customer_id: int, at: object) -> NewInteraction:
        return NewInteraction("oa", Direction.IN, "text", customer_id, created_at=at)  # type: ignore[arg-type]

    assert clock.due([msg(1, now), msg(2, now)]) == {1: now, 2: now}
    assert clock.due([msg(1, now + timedelta(seconds=30))]) == {}
    later = now + timedelta(seconds=61)
    assert clock.due([msg(1, later), NewInteraction("oa", Direction.OUT, "reply:text", 3)]) == {
        1: later
    }
