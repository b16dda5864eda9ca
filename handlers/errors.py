"""The one place where errors become what a customer or staff member reads, by update kind.

A customer gets the friendly text of a named domain error, or a polite apology; a staff member
gets one useful line (which command failed and the kind of error: never a traceback or the
error's text, which may carry data); an event gets nothing (the router has logged the error).
"""

from __future__ import annotations

import templates
from crm.errors import (
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RoleRequired,
    SiyuError,
)
from handlers.context import Context, UpdateKind
from handlers.router import Route
from handlers.types import Reply, TextReply

_MESSAGES: tuple[tuple[type[SiyuError], str], ...] = (
    (InsufficientPoints, "抱歉，您的积分余额不足，暂时无法兑换。回复「积分」可查看当前余额。"),
    (PermissionDenied, "抱歉，您的账号没有执行这个操作的权限，如需开通请联系管理员。"),
    (NotFound, "抱歉，没有找到相关记录，请核对后再试。"),
    (InvalidInput, "抱歉，输入的内容格式不太对，请检查后再发一次。"),
    (Conflict, "这个操作刚刚已经处理过了，无需重复提交。"),
)


ROLE_NAMES = {"admin": "管理员", "operator": "运营", "viewer": "只读"}


def role_name(role: str | None) -> str:
    return ROLE_NAMES.get(role or "", role or "未登记")


def refusal(exc: RoleRequired) -> str:
    """Which role the command needs, and the member's own: they know whom to ask for what."""
    return (
        f"抱歉，这条指令需要「{role_name(exc.needed)}」或更高的角色，"
        f"您当前的角色是「{role_name(exc.current)}」。如需开通，请联系管理员。"
    )


def friendly_text(exc: Exception) -> str:
    for kind, text in _MESSAGES:
        if isinstance(exc, kind):
            return text
    return templates.render("error")


def error_reply(ctx: Context, route: Route, exc: Exception) -> Reply:
    """The root router's error handler."""
    kind = ctx.update_kind
    if kind is UpdateKind.EVENT:
        return None
    if kind is UpdateKind.STAFF:
        return TextReply(staff_line(route, exc))
    return TextReply(friendly_text(exc))


def staff_line(route: Route, exc: Exception) -> str:
    what = f"/{route.command}" if route.command else "这条消息"
    if isinstance(exc, RoleRequired):
        return f"{what}：{refusal(exc)}"
    if isinstance(exc, SiyuError):
        return f"{what}：{friendly_text(exc)}"
    return (
        f"{what} 处理失败（{type(exc).__name__}），错误已记入日志。"
        "请稍后再试，多次失败请联系管理员。"
    )
