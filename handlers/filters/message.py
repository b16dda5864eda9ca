"""Filters on what a message says and who sent it."""

from __future__ import annotations

from crm.models import Channel
from handlers.context import Context
from handlers.filters.base import Filter, FilterResult
from nlp import Intent


class TextIn(Filter):
    """The whole text is one of `words` (case ignored)."""

    def __init__(self, *words: str) -> None:
        self.words = frozenset(w.lower() for w in words)

    def check(self, ctx: Context) -> FilterResult:
        return ctx.text.lower() in self.words


class TextContains(Filter):
    """The text contains any of `words`."""

    def __init__(self, *words: str) -> None:
        self.words = tuple(words)

    def check(self, ctx: Context) -> FilterResult:
        text = ctx.text
        return any(word in text for word in self.words)


class IntentIs(Filter):
    """nlp recognised one of `intents` in the text."""

    def __init__(self, *intents: Intent) -> None:
        self.intents = frozenset(intents)

    def check(self, ctx: Context) -> FilterResult:
        return ctx.intent in self.intents


class HasText(Filter):
    """A text message, or a voice message WeChat transcribed."""

    def check(self, ctx: Context) -> FilterResult:
        return ctx.message.msg_type in ("text", "voice") and bool(ctx.text)


class OnChannel(Filter):
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def check(self, ctx: Context) -> FilterResult:
        return ctx.message.channel is self.channel


class HasCustomer(Filter):
    """The sender is a known customer; the handler gets `customer: Customer` (never None)."""

    provides = frozenset({"customer"})

    def check(self, ctx: Context) -> FilterResult:
        return False if ctx.customer is None else {"customer": ctx.customer}


class ChangeType(Filter):
    """A WeCom change_external_contact event of one of these ChangeTypes; the handler gets
    `change: ContactChange`."""

    provides = frozenset({"change"})

    def __init__(self, *types: str) -> None:
        self.types = frozenset(types)

    def check(self, ctx: Context) -> FilterResult:
        change = ctx.message.contact
        if change is None or change.change_type not in self.types:
            return False
        return {"change": change}


class MatchesAutoReply(Filter):
    """A configured keyword auto-reply matches; the handler gets `rule: AutoReply`."""

    provides = frozenset({"rule"})

    def check(self, ctx: Context) -> FilterResult:
        text = ctx.text
        for rule in ctx.settings.auto_replies:
            if text in rule.keywords if rule.exact else any(k in text for k in rule.keywords):
                return {"rule": rule}
        return False


has_customer = HasCustomer()
has_text = HasText()
