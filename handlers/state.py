"""A chat's conversation state: which flow and step the sender's next message answers.

Kept in the store (Redis in production) under one key per chat (channel + sender) with a TTL,
so any process answers the next message and an abandoned flow ends by itself. Read at most
once per update, and only when a route asks for it (an InState filter): routes without flows
cost no store round trip.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from crm import store_keys
from crm.models import Channel
from handlers.context import Context

log = logging.getLogger("siyu.handlers.state")
_LOADED = "conversation_state"

Step = int | str


@dataclass(frozen=True, slots=True)
class ConversationState:
    flow: str  # survey, complaint, ...
    step: Step  # question 2, "order_number", ...
    data: dict[str, Any] = field(default_factory=dict)  # e.g. {"survey_id": 7}


def state_key(channel: Channel, sender: str) -> str:
    return store_keys.chat_state(channel.value, sender)


def _key(ctx: Context) -> str:
    return state_key(ctx.message.channel, ctx.message.sender)


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
        raw = await ctx.state.get(_key(ctx))
        ctx.loaded[_LOADED] = None if raw is None else _decode(raw)
    state = ctx.loaded[_LOADED]
    assert state is None or isinstance(state, ConversationState)
    return state


async def set_state(
    ctx: Context, flow: str, step: Step, data: dict[str, Any] | None = None,
    ttl: float | None = None,
) -> ConversationState:  # fmt: skip
    """Put this chat in `flow` at `step` for `ttl` seconds (default: conversation.state_ttl)."""
    state = ConversationState(flow, step, dict(data or {}))
    raw = json.dumps({"flow": flow, "step": step, "data": state.data}, ensure_ascii=False)
    await ctx.state.set(_key(ctx), raw, ttl or ctx.settings.state_ttl_seconds)
    ctx.loaded[_LOADED] = state
    return state


async def clear_state(ctx: Context) -> None:
    await ctx.state.delete(_key(ctx))
    ctx.loaded[_LOADED] = None
