"""A chat's conversation state: which flow and step the sender's next message answers.

Kept in the store (Redis in production) under one key per chat (channel + sender) with a TTL,
so any process answers the next message and an abandoned flow ends by itself. Read at most
once per update, and only when a route asks for it (an InState filter): routes without flows
cost no store round trip.

A flow interrupted by another (a complaint in the middle of a survey) is suspended, not
lost: set_state of a different flow moves the active state, with the TTL it had left, to a
suspended slot beside it; clear_state of the interrupting flow puts it back. One slot: a
third flow interrupting keeps the oldest suspended flow, which is the one the customer was
asked to finish.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from crm import store_keys
from crm.models import Channel
from handlers.context import ChatState, Context

log = logging.getLogger("siyu.handlers.state")
_LOADED = "conversation_state"
RESUMED = "resumed_state"  # set by clear_state when it brought a suspended flow back

Step = int | str


@dataclass(frozen=True, slots=True)
class ConversationState:
    flow: str  # survey, complaint, ...
    step: Step  # question 2, "order_number", ...
    data: dict[str, Any] = field(default_factory=dict)  # e.g. {"survey_id": 7}


def state_key(channel: Channel, sender: str) -> str:
    return store_keys.chat_state(channel.value, sender)


def suspended_key(channel: Channel, sender: str) -> str:
    return f"{state_key(channel, sender)}:suspended"


def _key(ctx: Context) -> str:
    return state_key(ctx.message.channel, ctx.message.sender)


def _encode(state: ConversationState) -> str:
    value = {"flow": state.flow, "step": state.step, "data": state.data}
    return json.dumps(value, ensure_ascii=False)


def _decode(raw: str) -> ConversationState | None:
    try:
        value = json.loads(raw)
        return ConversationState(str(value["flow"]), value["step"], dict(value.get("data") or {}))
    except (ValueError, TypeError, KeyError):
        log.warning("unreadable conversation state %r: ignored", raw[:80])
        return None


async def load_state(ctx: Context) -> ConversationState | None:
    """This chat's state (None: in no flow); fetched once per update."""
    if _LOADED not in ctx.loaded:
        ctx.loaded[_LOADED] = await read_state(ctx.state, ctx.message.channel, ctx.message.sender)
    state = ctx.loaded[_LOADED]
    assert state is None or isinstance(state, ConversationState)
    return state


async def set_state(
    ctx: Context, flow: str, step: Step, data: dict[str, Any] | None = None,
    ttl: float | None = None,
) -> ConversationState:  # fmt: skip
    """Put this chat in `flow` at `step` for `ttl` seconds (default: conversation.state_ttl);
    an active state of another flow is suspended until this one clears."""
    current = await load_state(ctx)
    state = ConversationState(flow, step, dict(data or {}))
    if current is not None and current.flow != flow:
        await _suspend(ctx.state, ctx.message.channel, ctx.message.sender)
    await ctx.state.set(_key(ctx), _encode(state), ttl or ctx.settings.state_ttl_seconds)
    ctx.loaded[_LOADED] = state
    return state


async def clear_state(ctx: Context) -> None:
    """End this chat's flow; a flow it had suspended becomes active again."""
    resumed = await resume(ctx.state, ctx.message.channel, ctx.message.sender)
    ctx.loaded[_LOADED] = resumed
    if resumed is not None:
        ctx.loaded[RESUMED] = resumed  # handlers/resuming.py tells the customer where they were


# -- the same, for senders outside a conversation (a survey sent from the CLI) -------------


async def read_state(store: ChatState, channel: Channel, sender: str) -> ConversationState | None:
    raw = await store.get(state_key(channel, sender))
    return None if raw is None else _decode(raw)


async def put_state(
    store: ChatState, channel: Channel, sender: str, state: ConversationState, ttl: float
) -> None:
    """Start `state` in a chat from outside it; an active flow of another kind is suspended."""
    current = await read_state(store, channel, sender)
    if current is not None and current.flow != state.flow:
        await _suspend(store, channel, sender)
    await store.set(state_key(channel, sender), _encode(state), ttl)


async def resume(store: ChatState, channel: Channel, sender: str) -> ConversationState | None:
    """Drop the active state and bring back the suspended one, if any (its TTL kept)."""
    key, slot = state_key(channel, sender), suspended_key(channel, sender)
    raw = await store.get(slot)
    left = None if raw is None else await _ttl(store, slot)
    if raw is None or left is None:
        await store.delete(key)
        return None
    await store.set(key, raw, left)
    await store.delete(slot)
    return _decode(raw)


async def _suspend(store: ChatState, channel: Channel, sender: str) -> None:
    key, slot = state_key(channel, sender), suspended_key(channel, sender)
    if await store.get(slot) is not None:
        return  # the oldest interrupted flow keeps the slot
    raw = await store.get(key)
    left = await _ttl(store, key)
    if raw is not None and left is not None:
        await store.set(slot, raw, left)


async def _ttl(store: ChatState, key: str) -> float | None:
    left = await store.ttl(key)
    return None if left is None or left <= 0 else float(left)
