"""Conversation logic: one router per module; `dispatcher()` puts them in order."""

from __future__ import annotations

from handlers import customer, events, staff
from handlers.errors import friendly_reply
from handlers.router import Dispatcher


def dispatcher() -> Dispatcher:
    # Order matters: the first matching route answers. Catch-all routes come last.
    return Dispatcher([events.router, staff.router, customer.router], friendly=friendly_reply)
