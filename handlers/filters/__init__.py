"""Filters: small checks on the Context that compose with `&`, `|` and `~`.

A filter passes (True, or a dict of data for the handler) or fails (False). Build them once,
at import: a route's filters are never rebuilt per message.
"""

from handlers.filters.base import And, AsyncFilter, Filter, FilterResult, Not, Or
from handlers.filters.command import Command, CommandCall
from handlers.filters.message import (
    ChangeType,
    HasCustomer,
    HasText,
    IntentIs,
    MatchesAutoReply,
    OnChannel,
    TextContains,
    TextIn,
    has_customer,
    has_text,
)
from handlers.filters.state import InState

__all__ = [
    "And",
    "AsyncFilter",
    "ChangeType",
    "Command",
    "CommandCall",
    "Filter",
    "FilterResult",
    "HasCustomer",
    "HasText",
    "InState",
    "IntentIs",
    "MatchesAutoReply",
    "Not",
    "OnChannel",
    "Or",
    "TextContains",
    "TextIn",
    "has_customer",
    "has_text",
]
