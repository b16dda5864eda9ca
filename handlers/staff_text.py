"""How staff replies are written: usage lines, one-message fitting, the Chinese names of
stages and statuses, the lines of a profile and of today's figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from crm.profiles import Profile
from crm.reports import DayStats
from handlers.context import Context
from handlers.filters import Filter, FilterResult
from handlers.types import TextReply

# WeCom takes 2048 bytes of text in one message; room is left for the "more" line.
MAX_BYTES = 1900

STAGE_NAMES = {
    "prospect": "潜客", "new": "新客", "active": "活跃", "loyal": "忠诚",
    "at_risk": "流失风险", "churned": "已流失",
}  # fmt: skip
CAMPAIGN_STATUS = {
    "draft": "草稿", "scheduled": "已排期", "running": "进行中", "paused": "已暂停",
    "done": "已结束",
}  # fmt: skip


class Subcommand(Filter):
    """`/campaign pause 5`: the word after the command (case-insensitive)."""

    def __init__(self, name: str) -> None:
        self.name = name.lower()

    def check(self, ctx: Context) -> FilterResult:
        words = ctx.text.split(maxsplit=2)
        return len(words) > 1 and words[1].lower() == self.name


def usage_line(handler: Callable[..., Any] | None, command: str) -> str:
    """The first docstring line when it is a usage (`/find …`), else `/command`."""
    first = ((handler.__doc__ if handler else None) or "").strip().splitlines()[:1]
    return first[0] if first and first[0].startswith("/") else f"/{command}"


def usage(*handlers: Callable[..., Any]) -> TextReply:
    lines = [usage_line(h, h.__name__) for h in handlers]
    return TextReply("用法：" + "\n".join(lines))


def customer_id(args: Sequence[str], needed: int) -> int | None:
    """The id in `args[0]` (`42` or `#42`) when at least `needed` arguments were given."""
    if len(args) < needed:
        return None
    text = args[0].removeprefix("#")
    return int(text) if text.isdigit() and 0 < len(text) <= 18 else None


def fit(head: str, lines: Sequence[str], total: int, unit: str) -> str:
    """`head` and as many of `lines` as fit one message; then how many of `total` are left."""
    kept = [head] if head else []
    size = len(head.encode())
    for line in lines:
        size += len(line.encode()) + 1
        if size > MAX_BYTES:
            break
        kept.append(line)
    rest = max(total, len(lines)) - (len(kept) - (1 if head else 0))
    if rest > 0:
        kept.append(f"……另有 {rest} {unit}未显示，请缩小查询范围。")
    return "\n".join(kept)


def _yes(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def profile_lines(p: Profile) -> list[str]:
    """A profile, already masked for the reader."""
    rfm = p.rfm.code if p.rfm else "未评分"
    active = p.last_active_at.strftime("%Y-%m-%d") if p.last_active_at else "无"
    lines = [
        f"客户 #{p.id} {p.display_name or '未留名'}",
        f"手机：{p.phone or '无'}｜生日：{p.birthday or '无'}",
        f"阶段：{STAGE_NAMES.get(p.lifecycle_stage, p.lifecycle_stage)}｜RFM：{rfm}",
        f"积分：{p.points_balance}｜订单：{p.order_count} 笔，共 ¥{p.total_spent:,.2f}",
        f"标签：{'、'.join(p.tags) if p.tags else '无'}",
        f"备注：{p.notes_count} 条｜最近互动：{active}",
        f"{_yes(p.subscribed, '已关注', '未关注')}｜"
        f"{_yes(p.opted_out, '已退订营销消息', '接收营销消息')}",
    ]
    if p.real_name or p.address:
        lines.insert(2, f"姓名：{p.real_name or '无'}｜地址：{p.address or '无'}")
    return lines


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def stats_lines(d: DayStats) -> list[str]:
    return [
        f"今日（{d.day.month}月{d.day.day}日）统计：",
        f"新增关注 {d.new_followers}｜客户消息 {d.messages}｜回复 {d.replies}",
        f"投诉：新增 {d.complaints_opened}｜关闭 {d.complaints_closed}",
        f"负面情绪占比 {_percent(d.negative_share)}（已分析 {d.analysed} 条）",
        f"活动消息：发送成功 {d.deliveries_sent}｜失败 {d.deliveries_failed}",
    ]
