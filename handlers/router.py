"""Routers in the manner of aiogram: each handler is one decorated async function with filters.

A Router holds routes by update kind (a customer's message, an event, a staff member's
message) and child routers; its own routes are asked before its children's, and children in
the order they were included. The first route whose filters pass answers. Filters may be async
and may return data: it reaches the handler as the keyword arguments the handler declares
(checked at registration), with `router` (the router handling the update) on request.

A handler's failure goes to the error handler of the nearest router that has one (the root's
is handlers/errors.py, which answers by update kind); without one it propagates. The root
builds its lookup table (routes per kind, events by name) on first use: register and include
before the first update.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from crm.errors import PermissionDenied, RoleRequired, SiyuError, is_unavailable
from crm.models import Staff
from crm.permissions import Action, allowed, lowest_role
from handlers.context import Context, UpdateKind
from handlers.filters import And, Command, Filter
from handlers.resuming import with_reminder
from handlers.types import Reply

log = logging.getLogger("siyu.handlers")

Handler = Callable[..., Awaitable[Reply]]
H = TypeVar("H", bound=Handler)
ErrorHandler = Callable[[Context, "Route", Exception], Reply]

_FROM_ROUTER = frozenset({"router"})


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # router.handler
    kind: UpdateKind
    handler: Handler
    filter: Filter | None  # the route's filters, and-ed
    accepts: frozenset[str] | None  # keyword arguments the handler declares (None: **kwargs)
    events: frozenset[str] | None = None  # an event route's events (None: any)
    command: str | None = None
    help: str | None = None
    action: Action | None = None  # what running it does (crm.permissions); None: anyone
    on_error: ErrorHandler | None = None  # set when a root builds its table

    def permits(self, staff: Staff | None) -> bool:
        """The one permission table decides, as for every other door."""
        return self.action is None or (staff is not None and allowed(staff.role, self.action))


@dataclass(frozen=True, slots=True)
class _Table:
    by_kind: dict[UpdateKind, tuple[Route, ...]]
    by_event: dict[str, tuple[Route, ...]]

    def candidates(self, ctx: Context, kind: UpdateKind) -> tuple[Route, ...]:
        if kind is UpdateKind.EVENT:
            return self.by_event.get(ctx.message.event or "", self.by_kind[kind])
        return self.by_kind[kind]


class Router:
    def __init__(self, name: str, *, on_error: ErrorHandler | None = None) -> None:
        self.name = name
        self.on_error = on_error
        self.routes: list[Route] = []
        self.children: list[Router] = []
        self._table: _Table | None = None

    # -- registration ---------------------------------------------------------------------

    def include_router(self, child: Router) -> Router:
        if child is self or self in child._descendants():
            raise ValueError(f"including router {child.name!r} in {self.name!r} makes a cycle")
        self.children.append(child)
        self._table = None
        return child

    def message(self, *filters: Filter) -> Callable[[H], H]:
        """A customer's message (not an event)."""
        return self._register(UpdateKind.MESSAGE, filters)

    def event(self, events: str | Iterable[str], *filters: Filter) -> Callable[[H], H]:
        """An event (lower-case names: subscribe, change_external_contact, ...)."""
        names = (events,) if isinstance(events, str) else tuple(events)
        return self._register(UpdateKind.EVENT, filters, events=frozenset(names))

    def command(
        self, name: str, *filters: Filter, help: str, action: Action | None = None
    ) -> Callable[[H], H]:
        """A staff command `/name args...`; `action`: what the member's role must allow."""
        return self._register(
            UpdateKind.STAFF, (Command(name), *filters), command=name, help=help, action=action
        )

    def staff(self, *filters: Filter) -> Callable[[H], H]:
        """Any message of a staff member to the WeCom app."""
        return self._register(UpdateKind.STAFF, filters)

    def _register(
        self, kind: UpdateKind, filters: tuple[Filter, ...], **meta: Any
    ) -> Callable[[H], H]:
        combined = None if not filters else filters[0] if len(filters) == 1 else And(*filters)

        def decorator(handler: H) -> H:
            name = f"{self.name}.{handler.__name__}"
            accepts = _keyword_parameters(handler)
            provided = (combined.provides if combined else frozenset()) | _FROM_ROUTER
            if accepts is not None and not accepts <= provided:
                missing = ", ".join(sorted(accepts - provided))
                raise TypeError(f"{name} asks for {missing}, which its filters do not provide")
            self.routes.append(Route(name, kind, handler, combined, accepts, **meta))
            self._table = None
            return handler

        return decorator

    # -- lookup and handling --------------------------------------------------------------

    async def handle(self, ctx: Context) -> Reply:
        """The reply of the first matching route (None when no route matches)."""
        found = await self.find(ctx)
        if found is None:
            return None
        route, data = found
        try:
            if not route.permits(ctx.staff):
                raise _refusal(route, ctx.staff)
            if not route.accepts:
                return await with_reminder(ctx, await route.handler(ctx))
            reply = await route.handler(ctx, **self._arguments(route, data))
            return await with_reminder(ctx, reply)
        except Exception as exc:
            return _failed(ctx, route, exc)

    async def find(self, ctx: Context) -> tuple[Route, dict[str, Any]] | None:
        """The first route whose filters pass, and the data they returned."""
        for route in self.table().candidates(ctx, ctx.update_kind):
            check = route.filter
            if check is None:
                return route, {}
            result = await check.check_async(ctx) if check.is_async else check.check(ctx)
            if result:
                return route, {} if result is True else result
        return None

    def _arguments(self, route: Route, data: dict[str, Any]) -> dict[str, Any]:
        if route.accepts is None:
            return {"router": self, **data}
        args = {name: data[name] for name in route.accepts if name in data}
        if "router" in route.accepts:
            args["router"] = self
        return args

    def table(self) -> _Table:
        if self._table is None:
            self._table = _build_table(self._flatten(self.on_error))
        return self._table

    def commands(self) -> tuple[Route, ...]:
        """Staff commands with their help text, in routing order."""
        return tuple(r for r in self.table().by_kind[UpdateKind.STAFF] if r.command and r.help)

    def _flatten(self, on_error: ErrorHandler | None) -> Iterator[Route]:
        on_error = self.on_error or on_error
        for route in self.routes:
            yield replace(route, on_error=on_error)
        for child in self.children:
            yield from child._flatten(on_error)

    def _descendants(self) -> Iterator[Router]:
        for child in self.children:
            yield child
            yield from child._descendants()


def _refusal(route: Route, staff: Staff | None) -> PermissionDenied:
    if route.action is None:  # permits() refuses only routes with an action
        return PermissionDenied(f"/{route.command}")
    current = staff.role.value if staff is not None else None
    return RoleRequired(route.action.value, lowest_role(route.action).value, current)


def _failed(ctx: Context, route: Route, exc: Exception) -> Reply:
    if route.on_error is None or is_unavailable(exc):
        raise exc  # unreachable store or database: 503, and WeChat's retry runs the handler
    if isinstance(exc, SiyuError):
        log.info("%s: %s: %s", route.name, type(exc).__name__, exc)
    else:
        log.exception("%s failed on %s", route.name, ctx.message.dedupe_key)
    return route.on_error(ctx, route, exc)


def _build_table(routes: Iterable[Route]) -> _Table:
    ordered = tuple(routes)
    by_kind = {kind: tuple(r for r in ordered if r.kind is kind) for kind in UpdateKind}
    events = by_kind[UpdateKind.EVENT]
    names = frozenset().union(*(r.events or () for r in events))
    by_event = {
        name: tuple(r for r in events if r.events is None or name in r.events) for name in names
    }
    fallback = tuple(r for r in events if r.events is None)
    return _Table({**by_kind, UpdateKind.EVENT: fallback}, by_event)


def _keyword_parameters(handler: Handler) -> frozenset[str] | None:
    """The names a handler takes after the context (None when it takes **kwargs)."""
    parameters = list(inspect.signature(handler).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters)
