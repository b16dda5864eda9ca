"""Customer-service windows read from the interactions, as WeChat counts them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.campaigns.windows import service_windows
from crm.clock import FrozenClock
from tests.campaigns.dispatch_support import activity, customer

pytestmark = pytest.mark.usefixtures("database_url")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


async def _left(clock: FrozenClock, *ids: int) -> dict[int, int]:
    found = await service_windows(list(ids), clock=clock)
    return {cid: found[cid].left(clock.now()) if cid in found else 0 for cid in ids}


async def test_a_message_opens_five_for_48_hours(clock: FrozenClock) -> None:
    wrote, late = await customer("wrote"), await customer("late")
    await activity(wrote, clock, "text", ago=47 * 3600)
    await activity(late, clock, "image", ago=48 * 3600 + 1)
    assert await _left(clock, wrote.id, late.id) == {wrote.id: 5, late.id: 0}


@pytest.mark.parametrize(
    ("kind", "opens"),
    [
        ("event:subscribe", 3),
        ("event:CLICK", 3),
        ("event:SCAN", 3),
        ("event:scancode_push", 3),
        ("event:scancode_waitmsg", 3),
        ("event:VIEW", 0),
        ("event:unsubscribe", 0),
        ("event:LOCATION", 0),
    ],
)
async def test_events_open_three_for_a_minute(clock: FrozenClock, kind: str, opens: int) -> None:
    fresh, old = await customer("fresh"), await customer("old")
    await activity(fresh, clock, kind, ago=59)
    await activity(old, clock, kind, ago=61)
    assert await _left(clock, fresh.id, old.id) == {fresh.id: opens, old.id: 0}


async def test_pushes_spend_the_quota_and_passive_replies_do_not(clock: FrozenClock) -> None:
    pushed, replied = await customer("pushed"), await customer("replied")
    for target in (pushed, replied):
        await activity(target, clock, "text", ago=3600)
    for _ in range(4):
        await activity(pushed, clock, "push:text", ago=1800, out=True)
        await activity(replied, clock, "reply:text", ago=1800, out=True)
    assert await _left(clock, pushed.id, replied.id) == {pushed.id: 1, replied.id: 5}


async def test_a_push_spends_the_soonest_closing_window(clock: FrozenClock) -> None:
    target = await customer("both")
    await activity(target, clock, "text", ago=30)
    await activity(target, clock, "event:CLICK", ago=20)
    await activity(target, clock, "push:text", ago=10, out=True)
    found = await service_windows([target.id], clock=clock)
    assert found[target.id].left(clock.now()) == 7  # the click's window paid: 2 + 5
    clock.advance(60)
    assert found[target.id].left(clock.now()) == 5
