"""The routers in the order they are asked: the first matching handler answers."""

from __future__ import annotations

from handlers import customer, events, points, staff
from handlers.errors import friendly_reply
from handlers.router import Dispatcher


def dispatcher() -> Dispatcher:
    # Catch-all routes (staff's unknown command, the customer default) come last in their
    # routers, and customer routes never match staff or events, so this order is safe.
    return Dispatcher(
        [events.router, staff.router, points.router, customer.router], friendly=friendly_reply
    )
