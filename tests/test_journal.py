"""Group commit: concurrent records share transactions, duplicates are caught by the database."""

from __future__ import annotations

import asyncio

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


async def test_failure_reaches_every_waiter(database_url: str) -> None:
    journal = InteractionJournal()
    bad = NewInteraction("oa", Direction.IN, "x" * 500, dedupe_key="too-long-kind")  # kind > 48
    good = NewInteraction("oa", Direction.IN, "text", dedupe_key="fine")
    results = await asyncio.gather(
        journal.record(bad), journal.record(good), return_exceptions=True
    )
    # on PostgreSQL the long value fails the batch; SQLite does not enforce VARCHAR lengths
    if isinstance(results[0], Exception):
        assert isinstance(results[1], Exception)
        assert await Interaction.all().count() == 0


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
    assert clock.due([msg(1, later), NewInteraction("oa", Direction.OUT, "reply:text", 3)]) == {1: later}
