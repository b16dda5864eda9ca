"""Filters: small predicates over the Context, combined by listing them on a route."""

from __future__ import annotations

from handlers.context import Context
from handlers.router import Filter


def text_equals(*words: str) -> Filter:
    wanted = frozenset(w.lower() for w in words)
    return lambda ctx: ctx.text.lower() in wanted


def intent(*names: str) -> Filter:
    wanted = frozenset(names)
    return lambda ctx: ctx.intent in wanted


def change_type(*types: str) -> Filter:
    wanted = frozenset(types)
    return lambda ctx: ctx.message.get("ChangeType") in wanted


def has_text(ctx: Context) -> bool:
    """A text message, or a voice message WeChat transcribed."""
    return ctx.message.msg_type in ("text", "voice") and bool(ctx.text)
