"""Test-only routing: the app's real root router behind routers a test adds in front."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.keys import PIPELINE
from handlers.errors import error_reply
from handlers.router import Router
from handlers.routes import root_router


def route_first(client: TestClient, *routers: Router) -> Router:
    """Put `routers` before the app's own (same error handling as the real root)."""
    root = Router("test", on_error=error_reply)
    for router in routers:
        root.include_router(router)
    root.include_router(root_router())
    client.app[PIPELINE].router = root
    return root
