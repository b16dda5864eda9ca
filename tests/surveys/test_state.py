"""Suspending a flow: another flow's set_state keeps the old one (with the TTL it had left),
and that flow's clear_state brings it back. Against real Redis and the in-process store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.store import MemoryStore, Store, opened_store
from crm.models import Channel, Customer
from handlers.config import ConversationSettings
from handlers.context import Context
from handlers.state import (
    ConversationState,
    clear_state,
    load_state,
    put_state,
    set_state,
    state_key,
)
from handlers.types import Message


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = request.getfixturevalue("redis_url")
    async with opened_store(url) as opened:
        yield opened


def context(store: Store, sender: str = "oState") -> Context:
    message = Message(
        Channel.OA, "text", sender, "gh", 1, "<xml/>", msg_id="1", content="x"
    )  # fmt: skip
    messenger: Any = None
    return Context(message, ConversationSettings(), store, messenger, Customer(id=1))


async def test_an_interrupting_flow_suspends_and_its_clear_resumes(store: Store) -> None:
    await set_state(context(store), "survey", 2, {"survey_id": 7}, ttl=600)
    await set_state(context(store), "complaint", "details", ttl=60)
    assert await load_state(context(store)) == ConversationState("complaint", "details", {})
    ctx = context(store)
    await clear_state(ctx)
    assert await load_state(ctx) == ConversationState("survey", 2, {"survey_id": 7})
    assert await load_state(context(store)) == ConversationState("survey", 2, {"survey_id": 7})
    left = await store.ttl(state_key(Channel.OA, "oState"))
    assert left is not None and 590 < left <= 600  # the survey's own TTL, not the complaint's


async def test_the_same_flow_moving_on_suspends_nothing(store: Store) -> None:
    await set_state(context(store), "survey", 1, ttl=600)
    await set_state(context(store), "survey", 2, ttl=600)
    await clear_state(context(store))
    assert await load_state(context(store)) is None


async def test_clearing_with_nothing_suspended_ends_the_flow(store: Store) -> None:
    await set_state(context(store), "complaint", "details", ttl=60)
    await clear_state(context(store))
    assert await load_state(context(store)) is None


async def test_a_suspended_flow_that_expired_is_not_resumed(store: Store) -> None:
    await set_state(context(store), "survey", 1, ttl=0.2)
    await set_state(context(store), "complaint", "details", ttl=60)
    await asyncio.sleep(0.3)
    await clear_state(context(store))
    assert await load_state(context(store)) is None


async def test_a_third_flow_keeps_the_oldest_suspended(store: Store) -> None:
    await set_state(context(store), "survey", 3, ttl=600)
    await set_state(context(store), "complaint", "details", ttl=60)
    await set_state(context(store), "handover", 1, ttl=60)
    await clear_state(context(store))
    assert await load_state(context(store)) == ConversationState("survey", 3, {})


async def test_a_state_put_from_outside_suspends_the_active_flow(store: Store) -> None:
    await set_state(context(store), "complaint", "details", ttl=60)
    await put_state(store, Channel.OA, "oState", ConversationState("survey", 1), ttl=600)
    await clear_state(context(store))
    assert await load_state(context(store)) == ConversationState("complaint", "details", {})


async def test_other_chats_are_untouched(store: Store) -> None:
    await set_state(context(store), "survey", 1, ttl=600)
    await set_state(context(store, "oOther"), "complaint", "x", ttl=60)
    await clear_state(context(store, "oOther"))
    assert await load_state(context(store, "oOther")) is None
    assert await load_state(context(store)) == ConversationState("survey", 1, {})
