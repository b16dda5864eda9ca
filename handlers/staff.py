"""Staff commands typed to the WeCom app: each one a decorated function; /help lists them.

A handler's docstring starts with its usage (`/tag ID 标签`): /help shows it, and a command
with missing or bad arguments answers it. Replies fit one WeCom text message (handlers/
staff_text.py), personal data masked for the member's role (crm/privacy), and every write goes
through a crm service that audits it with the member as actor."""

from __future__ import annotations

import hashlib

from crm import customer_edits, notes, privacy, profiles, reports, search
from crm import segments as segment_service
from crm.actors import Actor
from crm.campaign_edits import pause_campaign
from crm.campaigns import service as campaigns
from crm.campaigns.stats import campaign_stats
from crm.customers import survivor_id
from crm.errors import CampaignStateError, InsufficientPoints
from crm.models import Customer, Staff
from crm.permissions import Action
from handlers.context import Context
from handlers.errors import ROLE_NAMES, role_name
from handlers.filters import CommandCall
from handlers.router import Router
from handlers.staff_text import (
    CAMPAIGN_STATUS,
    STAGE_NAMES,
    Subcommand,
    customer_id,
    fit,
    profile_lines,
    stats_lines,
    usage,
    usage_line,
)
from handlers.types import Reply

router = Router("staff")

__all__ = ["ROLE_NAMES", "router"]


def actor_of(staff: Staff) -> Actor:
    return Actor.staff(staff.userid, staff.role, staff.name or "")


def request_id(ctx: Context) -> str:
    return ctx.message.dedupe_key[:64]


@router.command("help", help="查看可用指令")
async def help_command(ctx: Context, staff: Staff, router: Router) -> Reply:
    """Generated from the routes: only the commands this member's role may run."""
    lines = ["可用指令："]
    for r in router.commands():
        if r.permits(staff):
            lines.append(f"{usage_line(r.handler, r.command or '')} — {r.help}")
    return ctx.reply("\n".join(lines))


@router.command("whoami", help="查看我的账号和角色")
async def whoami(ctx: Context, staff: Staff) -> Reply:
    role = role_name(staff.role.value)
    name = staff.name or staff.userid
    return ctx.reply(f"您好，{name}！\n账号：{staff.userid}\n角色：{role}")


# -- customers ------------------------------------------------------------------------------


@router.command("find", help="查找客户", action=Action.CUSTOMERS_READ)
async def find(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/find 手机号或名字
    Also an openid, a tag, a lifecycle stage (活跃, 流失风险…) or a customer id."""
    if not command.rest:
        return usage(find)
    found = await search.find_customers(command.rest, limit=10)
    if not found:
        return ctx.reply(f"没有找到与「{command.rest}」匹配的客户。")
    total = await search.count_customers(command.rest)
    await _reveal(staff, ctx, [c.id for c in found], ["phone", "name"])
    lines = [_found_line(c, staff) for c in found]
    return ctx.reply(fit(f"找到 {total} 位客户：", lines, total, "位"))


def _found_line(c: Customer, staff: Staff) -> str:
    name = privacy.masked(staff.role, "name", c.display_name) or "未留名"
    phone = privacy.masked(staff.role, "phone", c.phone) or "无手机号"
    stage = STAGE_NAMES.get(c.lifecycle_stage.value, c.lifecycle_stage.value)
    return f"#{c.id} {name}｜{phone}｜{stage}｜{c.points_balance} 积分"


async def _reveal(staff: Staff, ctx: Context, ids: list[int], fields: list[str]) -> None:
    """An admin sees personal data unmasked: that read is audited."""
    await privacy.record_unmasked_read(
        actor_of(staff), "customer", ids, fields, request_id=request_id(ctx)
    )


@router.command("profile", help="查看客户档案", action=Action.CUSTOMERS_READ)
async def profile(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/profile 客户ID"""
    cid = customer_id(command.args, 1)
    if cid is None:
        return usage(profile)
    shown = await profiles.profile(cid)
    if shown.personal_fields():
        await _reveal(staff, ctx, [shown.id], shown.personal_fields())
    return ctx.reply(fit("", profile_lines(shown.for_role(staff.role)), 0, "行"))


@router.command("tag", help="给客户打标签", action=Action.TAGS_WRITE)
async def tag(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/tag 客户ID 标签"""
    cid = customer_id(command.args, 2)
    if cid is None:
        return usage(tag)
    name = command.rest.split(maxsplit=1)[1].strip()
    added = await customer_edits.add_tag(
        cid, name, actor=actor_of(staff), request_id=request_id(ctx)
    )
    if not added:
        return ctx.reply(f"客户 #{cid} 已有标签「{name}」，无需重复添加。")
    return ctx.reply(f"已为客户 #{cid} 打上标签「{name}」。")


@router.command("untag", help="去掉客户的标签", action=Action.TAGS_WRITE)
async def untag(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/untag 客户ID 标签"""
    cid = customer_id(command.args, 2)
    if cid is None:
        return usage(untag)
    name = command.rest.split(maxsplit=1)[1].strip()
    removed = await customer_edits.remove_tag(
        cid, name, actor=actor_of(staff), request_id=request_id(ctx)
    )
    if not removed:
        return ctx.reply(f"客户 #{cid} 没有标签「{name}」，无需去掉。")
    return ctx.reply(f"已去掉客户 #{cid} 的标签「{name}」。")


@router.command("note", help="给客户写备注", action=Action.CUSTOMERS_WRITE)
async def note(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/note 客户ID 备注内容"""
    cid = customer_id(command.args, 2)
    if cid is None:
        return usage(note)
    text = command.rest.split(maxsplit=1)[1]
    await notes.add_note(cid, text, actor=actor_of(staff), request_id=request_id(ctx))
    return ctx.reply(f"已为客户 #{cid} 添加备注。")


@router.command("points", help="调整客户积分（需写原因）", action=Action.POINTS_ADJUST)
async def points(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/points 客户ID +100 原因"""
    cid = customer_id(command.args, 3)
    amount = _signed(command.args[1]) if cid is not None else None
    if cid is None or amount is None:
        return usage(points)
    reason = command.rest.split(maxsplit=2)[2]
    try:
        await customer_edits.adjust_points(
            cid, amount, reason, actor=actor_of(staff), reference=_reference(ctx),
            clock=ctx.clock, request_id=request_id(ctx),
        )  # fmt: skip
    except InsufficientPoints:
        return ctx.reply(f"客户 #{cid} 的可用积分不足 {-amount}，未做调整。")
    balance = (await Customer.get(id=await survivor_id(cid))).points_balance
    return ctx.reply(
        f"已为客户 #{cid} 调整积分 {amount:+d}（{reason.strip()}），当前余额 {balance}。"
    )


def _signed(text: str) -> int | None:
    """+100, -50 or 100; at most a million either way; never 0."""
    body = text.removeprefix("+").removeprefix("-")
    if not body.isdigit() or not 0 < int(body) <= 1_000_000:
        return None
    return -int(body) if text.startswith("-") else int(body)


def _reference(ctx: Context) -> str:
    """The ledger reference of this message: WeChat's retry adjusts nothing twice."""
    return "wecom:" + hashlib.sha256(ctx.message.dedupe_key.encode()).hexdigest()[:40]


# -- segments, campaigns, stats -------------------------------------------------------------


@router.command("segment", Subcommand("count"), help="分群人数", action=Action.SEGMENTS_READ)
async def segment_count(ctx: Context, command: CommandCall) -> Reply:
    """/segment count 分群ID"""
    sid = customer_id(command.args[1:], 1)
    if sid is None:
        return usage(segment_count)
    segment = await segment_service.get_segment(sid)
    rules = segment_service.context(clock=ctx.clock, timezone=ctx.timezone)
    total = await segment_service.count(segment_service.segment_members(segment, rules))
    return ctx.reply(f"分群 #{segment.id}「{segment.name}」当前共 {total:,} 位客户。")


@router.command("segment", help="")
async def segment_usage(ctx: Context) -> Reply:
    return usage(segment_count)


@router.command(
    "campaign", Subcommand("status"), help="活动状态与发送情况", action=Action.CAMPAIGNS_READ
)
async def campaign_status(ctx: Context, command: CommandCall) -> Reply:
    """/campaign status 活动ID"""
    cid = customer_id(command.args[1:], 1)
    if cid is None:
        return usage(campaign_status)
    campaign = await campaigns.get_campaign(cid)
    s = await campaign_stats(cid)
    status = CAMPAIGN_STATUS.get(campaign.status.value, campaign.status.value)
    return ctx.reply(
        f"活动 #{campaign.id}「{campaign.name}」：{status}\n"
        f"已运行 {s.runs} 次｜目标 {s.targeted}｜已发送 {s.sent}\n"
        f"失败 {s.failed}｜跳过 {s.skipped}｜待发送 {s.pending + s.waiting}"
    )


@router.command("campaign", Subcommand("pause"), help="暂停活动", action=Action.CAMPAIGNS_SEND)
async def campaign_pause(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/campaign pause 活动ID"""
    cid = customer_id(command.args[1:], 1)
    if cid is None:
        return usage(campaign_pause)
    try:
        campaign = await pause_campaign(cid, actor=actor_of(staff), request_id=request_id(ctx))
    except CampaignStateError:
        current = (await campaigns.get_campaign(cid)).status.value
        return ctx.reply(f"活动 #{cid} 当前{CAMPAIGN_STATUS.get(current, current)}，无法暂停。")
    return ctx.reply(f"活动 #{campaign.id}「{campaign.name}」已暂停，待发送的消息会保留到恢复。")


@router.command("campaign", help="")
async def campaign_usage(ctx: Context) -> Reply:
    return usage(campaign_status, campaign_pause)


@router.command("stats", help="今日统计", action=Action.CUSTOMERS_READ)
async def stats(ctx: Context, command: CommandCall) -> Reply:
    """/stats today"""
    if [a.lower() for a in command.args] not in (["today"], ["今天"], ["今日"]):
        return usage(stats)
    day = await reports.today(ctx.clock, ctx.timezone)
    return ctx.reply("\n".join(stats_lines(day)))


@router.staff()
async def unknown_command(ctx: Context) -> Reply:
    return ctx.reply("抱歉，没有识别这条指令。发送 /help 查看可用指令。")
