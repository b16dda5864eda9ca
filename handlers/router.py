"""Routers in the style of aiogram: each handler is one decorated async function with filters.

The dispatcher asks the routers in order; the first handler whose filters all pass answers.
Named domain errors become friendly replies here, in one place; anything else is logged and
the customer gets a polite apology, never the exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from crm.errors import SiyuError
from handlers.context import Context
from handlers.types import Reply

log = logging.getLogger("siyu.handlers")

Handler = Callable[[Context], Awaitable[Reply]]
Filter = Callable[[Context], bool]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    handler: Handler
    filters: tuple[Filter, ...]

    def matches(self, ctx: Context) -> bool:
        return all(check(ctx) for check in self.filters)


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []

    def _register(self, filters: Sequence[Filter]) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.routes.append(Route(f"{self.name}.{handler.__name__}", handler, tuple(filters)))
            return handler

        return decorator

    def route(self, *filters: Filter) -> Callable[[Handler], Handler]:
        """Anything whose filters all pass."""
        return self._register(filters)

    def message(self, *filters: Filter) -> Callable[[Handler], Handler]:
        """A message (not an event) from a customer."""
        return self._register((_is_customer_message, *filters))

    def event(self, *events: str, filters: Sequence[Filter] = ()) -> Callable[[Handler], Handler]:
        wanted = frozenset(e.lower() for e in events)
        return self._register((lambda ctx: ctx.message.event in wanted, *filters))

    def command(self, name: str, *filters: Filter) -> Callable[[Handler], Handler]:
        """A staff command typed in WeCom: `/name args...`."""
        return self._register((_is_staff_command(name), *filters))


def _is_customer_message(ctx: Context) -> bool:
    return ctx.staff is None and not ctx.message.is_event


def _is_staff_command(name: str) -> Filter:
    command = f"/{name}"

    def check(ctx: Context) -> bool:
        if ctx.staff is None or not ctx.text.startswith("/"):
            return False
        return ctx.text.split(maxsplit=1)[0].lower() == command

    return check


class Dispatcher:
    def __init__(self, routers: Sequence[Router], friendly: Callable[[Exception], Reply]) -> None:
        self.routes = [route for router in routers for route in router.routes]
        self._friendly = friendly

    def route_for(self, ctx: Context) -> Route | None:
        return next((route for route in self.routes if route.matches(ctx)), None)

    async def dispatch(self, ctx: Context) -> Reply:
        route = self.route_for(ctx)
        if route is None:
            return None
        try:
            return await route.handler(ctx)
        except SiyuError as exc:
            log.info("%s: %s: %s", route.name, type(exc).__name__, exc)
            return self._friendly(exc)
        except Exception as exc:
            log.exception("%s failed on %s", route.name, ctx.message.dedupe_key)
            return self._friendly(exc)
