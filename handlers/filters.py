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

    def check(ctx: Context) -> bool:
        change = ctx.message.contact
        return change is not None and change.change_type in wanted

    return check


def has_text(ctx: Context) -> bool:
    """A text message, or a voice message WeChat transcribed."""
    return ctx.message.msg_type in ("text", "voice") and bool(ctx.text)
