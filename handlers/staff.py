"""Staff commands typed to the WeCom app: each one a decorated function; /help lists them."""

from __future__ import annotations

from crm.models import Staff
from handlers.context import Context
from handlers.router import Router
from handlers.types import Reply

router = Router("staff")

ROLE_NAMES = {"admin": "管理员", "operator": "运营", "viewer": "只读"}


@router.command("help", help="查看可用指令")
async def help_command(ctx: Context, staff: Staff, router: Router) -> Reply:
    """Generated from the routes: only the commands this member's role may run."""
    lines = ["可用指令："]
    lines += [f"/{r.command} — {r.help}" for r in router.commands() if r.permits(staff)]
    return ctx.reply("\n".join(lines))


@router.command("whoami", help="查看我的账号和角色")
async def whoami(ctx: Context, staff: Staff) -> Reply:
    role = ROLE_NAMES.get(staff.role.value, staff.role.value)
    name = staff.name or staff.userid
    return ctx.reply(f"您好，{name}！\n账号：{staff.userid}\n角色：{role}")


@router.staff()
async def unknown_command(ctx: Context) -> Reply:
    return ctx.reply("抱歉，没有识别这条指令。发送 /help 查看可用指令。")
