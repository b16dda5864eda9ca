"""A conversation flow as routes: the chat's state lives in the store (real Redis here), so
the next message, delivered to another process, answers the question; the state expires."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.wechat.simulator import Simulator, text_xml
from crm import caches
from handlers.context import Context
from handlers.filters import InState, TextIn, has_text
from handlers.router import Router
from handlers.state import ConversationState, clear_state, set_state
from handlers.types import Reply
from tests.handlers.helpers import OPENID, content, oa_send
from tests.handlers.support import route_first

DEFAULT = "收到您的消息啦"


def survey_router(ttl: float) -> Router:
    """Survey 7: two questions, each answer the customer's next message."""
    router = Router("survey")

    @router.message(TextIn("参加调查"))
    async def start(ctx: Context) -> Reply:
        await set_state(ctx, "survey", 1, {"survey_id": 7}, ttl=ttl)
        return ctx.reply("问题 1：您对这次购物满意吗？")

    @router.message(InState("survey", step=1), has_text)
    async def first_answer(ctx: Context, state: ConversationState) -> Reply:
        data = {**state.data, "q1": ctx.text}
        await set_state(ctx, "survey", 2, data, ttl=ttl)
        return ctx.reply(f"问题 2（调查 {state.data['survey_id']}）：您会推荐给朋友吗？")

    @router.message(InState("survey", step=2), has_text)
    async def second_answer(ctx: Context, state: ConversationState) -> Reply:
        await clear_state(ctx)
        return ctx.reply(f"谢谢！您的回答：{state.data['q1']}、{ctx.text}")

    return router


async def two_processes(
    aiohttp_client: Any, settings: Settings, redis_url: str, ttl: float
) -> tuple[TestClient, TestClient]:
    caches.clear()  # customer rows cached by an earlier test's database
    shared = settings.model_copy(update={"redis_url": redis_url})
    first: TestClient = await aiohttp_client(create_app(shared))
    second: TestClient = await aiohttp_client(create_app(shared))
    route_first(first, survey_router(ttl))
    route_first(second, survey_router(ttl))
    return first, second


async def test_the_state_survives_across_deliveries_and_processes(
    aiohttp_client: Any, settings: Settings, redis_url: str, oa: Simulator
) -> None:
    first, second = await two_processes(aiohttp_client, settings, redis_url, ttl=60)
    _, reply = await oa_send(first, oa, text_xml(OPENID, oa.receiver, "参加调查", 1))
    assert content(reply).startswith("问题 1")
    _, reply = await oa_send(second, oa, text_xml(OPENID, oa.receiver, "满意", 2))
    assert content(reply) == "问题 2（调查 7）：您会推荐给朋友吗？"
    _, reply = await oa_send(first, oa, text_xml(OPENID, oa.receiver, "会", 3))
    assert content(reply) == "谢谢！您的回答：满意、会"
    _, reply = await oa_send(second, oa, text_xml(OPENID, oa.receiver, "好的", 4))
    assert DEFAULT in content(reply)  # the flow is over


async def test_other_chats_are_not_in_the_flow(
    aiohttp_client: Any, settings: Settings, redis_url: str, oa: Simulator
) -> None:
    first, second = await two_processes(aiohttp_client, settings, redis_url, ttl=60)
    await oa_send(first, oa, text_xml(OPENID, oa.receiver, "参加调查", 5))
    _, reply = await oa_send(
        second, oa, text_xml("oSomeoneElse", oa.receiver, "满意", 6), "oSomeoneElse"
    )
    assert DEFAULT in content(reply)


async def test_the_state_expires(
    aiohttp_client: Any, settings: Settings, redis_url: str, oa: Simulator
) -> None:
    first, second = await two_processes(aiohttp_client, settings, redis_url, ttl=0.3)
    await oa_send(first, oa, text_xml(OPENID, oa.receiver, "参加调查", 7))
    await asyncio.sleep(0.4)
    _, reply = await oa_send(second, oa, text_xml(OPENID, oa.receiver, "满意", 8))
    assert DEFAULT in content(reply)
