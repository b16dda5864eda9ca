"""The root router: every handler module's router, in the order they are asked."""

from __future__ import annotations

from handlers import complaints, customer, erasure, events, points, staff, surveys
from handlers.errors import error_reply
from handlers.router import Router


def root_router() -> Router:
    """Routes are looked up by update kind, so only the order within a kind matters: points
    before customer, whose last route (the default reply) answers any text; staff last, whose
    last route answers an unknown command. Flows (InState routes) and routers with more staff
    commands go before them."""
    root = Router("root", on_error=error_reply)
    for child in (
        events.router, erasure.router, surveys.router, points.router, complaints.router,
        customer.router, complaints.staff_router, erasure.staff_router, staff.router,
    ):  # fmt: skip
        root.include_router(child)
    return root
