"""A handler's failure is answered by the kind of update it came from: a customer politely
(a named domain error with its friendly text), a staff member with one useful line, an event
with nothing; never the exception's text. Test routers go in front of the app's own."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

import templates
from bot.wechat.simulator import Simulator, event_xml, text_xml
from crm.errors import (
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SiyuError,
)
from crm.models import Interaction, Role, Staff
from crm.permissions import Action
from handlers.context import Context
from handlers.filters import TextIn
from handlers.router import Router
from handlers.types import Reply
from tests.handlers.helpers import OPENID, content, oa_send, wecom_send
from tests.handlers.support import route_first

SECRET = "postgres://siyu:hunter2@db.internal/siyu"


def failing_router(exc: Exception) -> Router:
    router = Router("failing")

    @router.message(TextIn("坏了"))
    async def broken(ctx: Context) -> Reply:
        raise exc

    @router.command("boom", help="总是失败")
    async def boom(ctx: Context) -> Reply:
        raise exc

    @router.staff(TextIn("坏了"))
    async def broken_staff_text(ctx: Context) -> Reply:
        raise exc

    @router.event("click")
    async def broken_click(ctx: Context) -> Reply:
        raise exc

    return router


async def test_an_unexpected_error_is_apologised_for_without_its_text(
    client: TestClient, oa: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    route_first(client, failing_router(RuntimeError(SECRET)))
    with caplog.at_level(logging.ERROR, "siyu.handlers"):
        raw, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "坏了", 1))
    assert content(reply) == templates.render("error")
    assert "hunter2" not in raw and "RuntimeError" not in content(reply)
    [record] = [r for r in caplog.records if r.name == "siyu.handlers"]
    assert record.exc_info is not None
    assert record.getMessage() == "failing.broken failed on msg:1"
    row = await Interaction.get(dedupe_key="msg:1:reply")
    assert row.content == templates.render("error")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InsufficientPoints("balance 10 < 50"), "积分余额不足"),
        (PermissionDenied("viewer"), "没有执行这个操作的权限"),
        (NotFound("order 9"), "没有找到相关记录"),
        (InvalidInput("bad date"), "格式不太对"),
        (Conflict("twice"), "已经处理过了"),
        (SiyuError("anything else"), "系统开了个小差"),
    ],
)
async def test_domain_errors_become_their_friendly_text(
    client: TestClient, oa: Simulator, error: SiyuError, expected: str
) -> None:
    route_first(client, failing_router(error))
    raw, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "坏了", 2))
    assert expected in content(reply) and str(error) not in raw


async def test_a_staff_member_learns_what_failed(client: TestClient, wecom: Simulator) -> None:
    route_first(client, failing_router(RuntimeError(SECRET)))
    raw, reply = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "/boom now", 3))
    assert content(reply) == (
        "/boom 处理失败（RuntimeError），错误已记入日志。请稍后再试，多次失败请联系管理员。"
    )
    assert "hunter2" not in raw
    _, reply = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "坏了", 5))
    assert content(reply).startswith("这条消息 处理失败（RuntimeError）")


async def test_a_staff_member_gets_a_domain_error_friendly(
    client: TestClient, wecom: Simulator
) -> None:
    route_first(client, failing_router(NotFound("customer 42")))
    _, reply = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "/boom", 4))
    assert content(reply) == "/boom：抱歉，没有找到相关记录，请核对后再试。"


async def test_a_failing_event_is_logged_and_answered_with_nothing(
    client: TestClient, oa: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    route_first(client, failing_router(RuntimeError(SECRET)))
    xml = event_xml(OPENID, oa.receiver, "CLICK", "V1001_TODAY")
    with caplog.at_level(logging.ERROR, "siyu.handlers"):
        raw, reply = await oa_send(client, oa, xml)
    assert raw == "success" and reply is None
    assert any("broken_click failed" in r.getMessage() for r in caplog.records)
    outbound = await Interaction.filter(direction="out").values_list("kind", "content")
    assert outbound == [("reply:none", None)]  # the outcome: answered "success", nothing sent


def admin_router() -> Router:
    router = Router("admin")

    @router.command("export", help="导出客户数据", action=Action.STAFF_MANAGE)
    async def export(ctx: Context) -> Reply:
        return ctx.reply("导出已开始。")

    @router.command("stats", help="查看今日统计", action=Action.CAMPAIGNS_SEND)
    async def stats(ctx: Context) -> Reply:
        return ctx.reply("今日消息 0 条。")

    return router


async def test_help_lists_what_the_role_may_run(client: TestClient, wecom: Simulator) -> None:
    """boss is an admin (staff_admins); lisi an operator; a viewer sees neither command."""
    await Staff.create(userid="lisi", role=Role.OPERATOR)
    route_first(client, admin_router())
    _, boss = await wecom_send(client, wecom, text_xml("boss", wecom.receiver, "/help", 10))
    _, lisi = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "/help", 11))
    assert "/export — 导出客户数据" in content(boss) and "/stats" in content(boss)
    assert "/export" not in content(lisi) and "/stats — 查看今日统计" in content(lisi)
    assert "/whoami" in content(lisi) and "/help" in content(lisi)


async def test_a_command_above_the_role_is_refused_not_unknown(
    client: TestClient, wecom: Simulator
) -> None:
    await Staff.create(userid="lisi", role=Role.OPERATOR)
    route_first(client, admin_router())
    _, reply = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "/export", 12))
    assert content(reply) == (
        "/export：抱歉，这条指令需要「管理员」或更高的角色，您当前的角色是「运营」。"
        "如需开通，请联系管理员。"
    )
    _, reply = await wecom_send(client, wecom, text_xml("boss", wecom.receiver, "/export", 13))
    assert content(reply) == "导出已开始。"
    _, reply = await wecom_send(client, wecom, text_xml("lisi", wecom.receiver, "/nope", 14))
    assert "没有识别这条指令" in content(reply)


async def test_an_unreachable_store_is_retried_not_apologised_for(
    client: TestClient, oa: Simulator
) -> None:
    """A handler that cannot reach the store (or the database) has not done its work: the
    delivery gets 503 and WeChat's retry runs the handler again, instead of an apology."""
    from bot.store import StoreUnavailable

    route_first(client, failing_router(StoreUnavailable("store: ConnectionError")))
    request = oa.oa_safe(text_xml(OPENID, oa.receiver, "坏了", 9), openid=OPENID)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 503
    assert await Interaction.filter(direction="out").count() == 0  # no outcome: retry runs it
    route_first(client)  # the store is back: the real routes answer the retry
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200
    reply = oa.read_reply(await resp.read())
    assert reply is not None and "坏了" not in str(reply["Content"])
    assert await Interaction.filter(direction="in").count() == 1
