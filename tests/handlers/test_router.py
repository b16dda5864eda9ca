"""The router's own rules: filter composition and data, registration checks, order of nested
routers, lookup by update kind. Real Context objects, the in-process store."""

from __future__ import annotations

import dataclasses

import pytest

from bot.store import MemoryStore
from crm.models import Channel, Customer, Role, Staff
from crm.permissions import Action
from handlers.config import ConversationSettings
from handlers.context import Context
from handlers.filters import (
    AsyncFilter,
    CommandCall,
    Filter,
    FilterResult,
    InState,
    TextContains,
    TextIn,
    has_customer,
)
from handlers.router import Router
from handlers.routes import root_router
from handlers.state import ConversationState, load_state, set_state, state_key
from handlers.types import Message, Reply, TextReply


class Gives(Filter):
    def __init__(self, **data: object) -> None:
        self.data = data
        self.provides = frozenset(data)

    def check(self, ctx: Context) -> FilterResult:
        return dict(self.data)


class CountingAsync(AsyncFilter):
    def __init__(self) -> None:
        self.calls = 0

    async def check_async(self, ctx: Context) -> FilterResult:
        self.calls += 1
        return True


def context(
    text: str = "",
    *,
    event: str | None = None,
    staff: Staff | None = None,
    store: MemoryStore | None = None,
) -> Context:
    message = Message(
        Channel.OA, "event" if event else "text", "oRouter", "gh", 1, "<xml/>",
        msg_id=None if event else "1", event=event, content=text or None,
    )  # fmt: skip
    return Context(
        message, ConversationSettings(), store or MemoryStore(), None, Customer(id=1), staff
    )  # type: ignore[arg-type]


async def reply_of(router: Router, ctx: Context) -> str | None:
    reply = await router.handle(ctx)
    return reply.text if isinstance(reply, TextReply) else None


async def test_and_or_not_compose_and_merge_data() -> None:
    router = Router("r")

    @router.message(TextIn("a") & Gives(x=1) & Gives(y=2))
    async def both(ctx: Context, x: int, y: int) -> Reply:
        return ctx.reply(f"both {x} {y}")

    @router.message(TextIn("b") | TextContains("c"), ~TextContains("z"))
    async def either(ctx: Context) -> Reply:
        return ctx.reply("either")

    assert await reply_of(router, context("a")) == "both 1 2"
    assert await reply_of(router, context("b")) == "either"
    assert await reply_of(router, context("xcx")) == "either"
    assert await reply_of(router, context("czc")) is None


def test_a_handler_may_ask_only_for_what_its_filters_provide() -> None:
    router = Router("r")
    with pytest.raises(TypeError, match=r"r\.wants_rule asks for rule"):

        @router.message(TextIn("a") | Gives(rule=1))  # an Or provides only what all parts do
        async def wants_rule(ctx: Context, rule: int) -> Reply:
            return None


def answering(router: Router, text: str, answer: str) -> None:
    @router.message(TextIn(text))
    async def handler(ctx: Context) -> Reply:
        return ctx.reply(answer)


async def test_own_routes_first_then_children_in_order() -> None:
    parent, first, second = Router("parent"), Router("first"), Router("second")
    answering(second, "x", "second")
    answering(second, "y", "second")
    answering(first, "y", "first")
    answering(parent, "x", "parent")
    parent.include_router(first)
    parent.include_router(second)
    assert await reply_of(parent, context("x")) == "parent"
    assert await reply_of(parent, context("y")) == "first"
    with pytest.raises(ValueError, match="cycle"):
        first.include_router(parent)


async def test_routes_are_looked_up_by_update_kind_and_event() -> None:
    router, later = Router("r"), CountingAsync()

    @router.event("subscribe")
    async def subscribed(ctx: Context) -> Reply:
        return ctx.reply("event")

    @router.message(later)
    async def message(ctx: Context) -> Reply:
        return ctx.reply("message")

    assert await reply_of(router, context(event="subscribe")) == "event"
    assert await reply_of(router, context(event="click")) is None
    assert later.calls == 0  # events never ask message routes
    assert await reply_of(router, context("hi")) == "message" and later.calls == 1


async def test_in_state_reads_the_store_once_per_update() -> None:
    store, router = MemoryStore(), Router("r")
    reads = 0
    get = store.get

    async def counted_get(key: str) -> str | None:
        nonlocal reads
        reads += 1
        return await get(key)

    store.get = counted_get  # type: ignore[method-assign]

    @router.message(InState("survey", step=3))
    async def third(ctx: Context) -> Reply:
        return ctx.reply("3")

    @router.message(InState("survey", step=2))
    async def second(ctx: Context) -> Reply:
        return ctx.reply("2")

    await set_state(context(store=store), "survey", 2)
    reads = 0  # set_state reads too (a different flow would be suspended): count the update
    assert await reply_of(router, context("yes", store=store)) == "2" and reads == 1


async def test_the_root_has_every_handler_once() -> None:
    names = [
        route.name
        for kind_routes in root_router().table().by_kind.values()
        for route in kind_routes
    ]
    assert len(names) == len(set(names))
    assert "customer.default" in names and "staff.unknown_command" in names
    assert "help" in [route.command for route in root_router().commands()]


async def test_a_command_needs_its_role() -> None:
    router = Router("r")

    @router.command("export", help="导出", action=Action.STAFF_MANAGE)
    async def export(ctx: Context) -> Reply:
        return ctx.reply("ok")

    operator, admin = Staff(userid="op", role=Role.OPERATOR), Staff(userid="ad", role=Role.ADMIN)
    assert await reply_of(router, context("/export", staff=admin)) == "ok"
    with pytest.raises(Exception, match=r"needs staff\.manage"):  # no error handler here
        await router.handle(context("/export", staff=operator))


async def test_a_command_handler_gets_its_parsed_arguments() -> None:
    router = Router("r")

    @router.command("points", help="调整积分")
    async def points(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
        return ctx.reply(f"{staff.userid} {command.name} {command.args} [{command.rest}]")

    boss = Staff(userid="boss", role=Role.ADMIN)
    assert await reply_of(router, context("/Points 42  +100 补发", staff=boss)) == (
        "boss points ('42', '+100', '补发') [42  +100 补发]"
    )
    assert await reply_of(router, context("/points", staff=boss)) == "boss points () []"
    assert await reply_of(router, context("/pointsx 1", staff=boss)) is None
    assert await reply_of(router, context("points 1", staff=boss)) is None


async def test_customer_routes_need_a_customer() -> None:
    router = Router("r")

    @router.message(TextIn("hi"), has_customer)
    async def hello(ctx: Context, customer: Customer) -> Reply:
        return ctx.reply(f"customer {customer.id}")

    assert await reply_of(router, context("hi")) == "customer 1"
    anonymous = dataclasses.replace(context("hi"), customer=None)
    assert await reply_of(router, anonymous) is None


async def test_async_filters_inside_or_and_not() -> None:
    store, router = MemoryStore(), Router("r")

    @router.message(TextIn("x") | InState("survey"))
    async def either(ctx: Context) -> Reply:
        return ctx.reply("either")

    @router.message(~InState("survey"))
    async def outside(ctx: Context) -> Reply:
        return ctx.reply("outside")

    assert await reply_of(router, context("y", store=store)) == "outside"
    await set_state(context(store=store), "survey", 1)
    assert await reply_of(router, context("y", store=store)) == "either"


async def test_state_set_in_an_update_is_what_it_reads_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    ctx = context(store=store)
    await set_state(ctx, "售后", "order_number", {"订单": "A1"})
    await store.delete(state_key(Channel.OA, "oRouter"))  # the update keeps what it set
    assert await load_state(ctx) == ConversationState("售后", "order_number", {"订单": "A1"})
    fresh = context(store=store)
    await set_state(fresh, "售后", 2)
    assert await load_state(context(store=store)) == ConversationState("售后", 2, {})
    await store.set(state_key(Channel.OA, "oRouter"), "{not json")
    with caplog.at_level("WARNING", "siyu.handlers.state"):
        assert await load_state(context(store=store)) is None
    assert "unreadable conversation state '{not json'" in caplog.text
