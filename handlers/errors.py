"""The one place where errors become what a customer or staff member reads."""

from __future__ import annotations

import templates
from crm.errors import (
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SiyuError,
)
from handlers.types import Reply, TextReply

_MESSAGES: tuple[tuple[type[SiyuError], str], ...] = (
    (InsufficientPoints, "抱歉，您的积分余额不足，暂时无法兑换。回复「积分」可查看当前余额。"),
    (PermissionDenied, "抱歉，您的账号没有执行这个操作的权限，如需开通请联系管理员。"),
    (NotFound, "抱歉，没有找到相关记录，请核对后再试。"),
    (InvalidInput, "抱歉，输入的内容格式不太对，请检查后再发一次。"),
    (Conflict, "这个操作刚刚已经处理过了，无需重复提交。"),
)


def friendly_reply(exc: Exception) -> Reply:
    for kind, text in _MESSAGES:
        if isinstance(exc, kind):
            return TextReply(text)
    return TextReply(templates.render("error"))
