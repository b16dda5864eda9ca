"""The Filter base class and its combinators (`a & b`, `a | b`, `~a`).

`check` answers synchronously; a filter that must wait (the store) subclasses AsyncFilter and
implements `check_async`. A combination is async when any part is, so the router awaits only
what needs awaiting. `provides` names the keys of the dict a passing filter returns: the router
checks at registration that a handler asks only for data its filters provide.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context

FilterResult = bool | dict[str, Any]
"""False: no match. True: a match. A non-empty dict: a match, with data for the handler."""


class Filter:
    is_async: bool = False
    provides: frozenset[str] = frozenset()

    def check(self, ctx: Context) -> FilterResult:
        raise NotImplementedError(f"{type(self).__name__} implements neither check nor an async")

    async def check_async(self, ctx: Context) -> FilterResult:
        return self.check(ctx)

    def __and__(self, other: Filter) -> Filter:
        return And(self, other)

    def __or__(self, other: Filter) -> Filter:
        return Or(self, other)

    def __invert__(self) -> Filter:
        return Not(self)


class AsyncFilter(Filter):
    """A filter that awaits something (the conversation state in the store)."""

    is_async = True

    def check(self, ctx: Context) -> FilterResult:
        raise TypeError(f"{type(self).__name__} is async: await check_async")

    async def check_async(self, ctx: Context) -> FilterResult:
        raise NotImplementedError


def _merge(merged: dict[str, Any] | None, result: FilterResult) -> dict[str, Any] | None:
    if result is True:
        return merged
    assert isinstance(result, dict)
    return {**merged, **result} if merged else result


class And(Filter):
    """Every part passes; their data is merged (later parts win)."""

    parts: tuple[Filter, ...]

    def __init__(self, *parts: Filter) -> None:
        flat: list[Filter] = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, And) else (part,))
        self.parts = tuple(flat)
        self.is_async = any(part.is_async for part in self.parts)
        self.provides = frozenset().union(*(part.provides for part in self.parts))

    def check(self, ctx: Context) -> FilterResult:
        merged: dict[str, Any] | None = None
        for part in self.parts:
            result = part.check(ctx)
            if not result:
                return False
            merged = _merge(merged, result)
        return merged or True

    async def check_async(self, ctx: Context) -> FilterResult:
        merged: dict[str, Any] | None = None
        for part in self.parts:
            result = await part.check_async(ctx) if part.is_async else part.check(ctx)
            if not result:
                return False
            merged = _merge(merged, result)
        return merged or True


class Or(Filter):
    """The first part that passes, with its data; a handler may ask only for what all provide."""

    parts: tuple[Filter, ...]

    def __init__(self, *parts: Filter) -> None:
        flat: list[Filter] = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, Or) else (part,))
        self.parts = tuple(flat)
        self.is_async = any(part.is_async for part in self.parts)
        self.provides = frozenset.intersection(*(part.provides for part in self.parts))

    def check(self, ctx: Context) -> FilterResult:
        for part in self.parts:
            result = part.check(ctx)
            if result:
                return result
        return False

    async def check_async(self, ctx: Context) -> FilterResult:
        for part in self.parts:
            result = await part.check_async(ctx) if part.is_async else part.check(ctx)
            if result:
                return result
        return False


class Not(Filter):
    """Passes when `inner` fails (and provides nothing)."""

    def __init__(self, inner: Filter) -> None:
        self.inner = inner
        self.is_async = inner.is_async

    def check(self, ctx: Context) -> FilterResult:
        return not self.inner.check(ctx)

    async def check_async(self, ctx: Context) -> FilterResult:
        return not await self.inner.check_async(ctx)
