"""Staff commands typed to the WeCom app: each one a decorated function."""

from __future__ import annotations

from handlers.context import Context
from handlers.router import Router
from handlers.types import Reply

router = Router("staff")

_ROLE_NAMES = {"admin": "管理员", "operator": "运营", "viewer": "只读"}


@router.command("help")
async def help_command(ctx: Context) -> Reply:
    lines = ["可用指令："]
    lines += [f"/{name} — {summary}" for name, summary in COMMANDS.items()]
    return ctx.reply("\n".join(lines))


@router.command("whoami")
async def whoami(ctx: Context) -> Reply:
    assert ctx.staff is not None
    role = _ROLE_NAMES.get(ctx.staff.role.value, ctx.staff.role.value)
    name = ctx.staff.name or ctx.staff.userid
    return ctx.reply(f"您好，{name}！\n账号：{ctx.staff.userid}\n角色：{role}")


def _from_staff(ctx: Context) -> bool:
    return ctx.staff is not None and not ctx.message.is_event


@router.route(_from_staff)
async def unknown_command(ctx: Context) -> Reply:
    return ctx.reply("抱歉，没有识别这条指令。发送 /help 查看可用指令。")


COMMANDS: dict[str, str] = {
    "help": "查看可用指令",
    "whoami": "查看我的账号和角色",
}
