"""What staff read about a ticket in WeCom: the notice of a new or reopened ticket, an SLA
escalation, a line per ticket in a list. The phone is always masked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm.models import Complaint, ComplaintSeverity, ComplaintStatus, Customer
from crm.privacy import mask_phone

SEVERITY = {
    ComplaintSeverity.LOW: "低",
    ComplaintSeverity.NORMAL: "普通",
    ComplaintSeverity.HIGH: "高",
    ComplaintSeverity.URGENT: "紧急",
}
STATUS = {
    ComplaintStatus.OPEN: "待受理",
    ComplaintStatus.ACKNOWLEDGED: "处理中",
    ComplaintStatus.RESOLVED: "已解决",
    ComplaintStatus.CLOSED: "已关闭",
    ComplaintStatus.REOPENED: "已重开",
}
ACTIONS = {
    "opened": "创建", "message": "客户补充", "details": "客户补充", "ack": "受理",
    "assign": "指派", "note": "备注", "resolve": "解决", "close": "关闭", "category": "改类别",
    "reopen": "重新打开", "rating": "客户评价", "notify": "通知客户",
}  # fmt: skip
_TEXT_CHARS = 300


def who(customer: Customer) -> str:
    name = customer.display_name or "未留名"
    phone = mask_phone(customer.phone) or "未留手机号"
    return f"{name}（{phone}，客户编号 {customer.id}）"


def local(at: datetime | None, timezone: str) -> str:
    return "—" if at is None else f"{at.astimezone(ZoneInfo(timezone)):%m-%d %H:%M}"


def staff_notice(ticket: Complaint, customer: Customer, text: str, key: str, timezone: str) -> str:
    head = "客户投诉（重新打开）" if key.startswith("reopened") else "新投诉"
    body = text if len(text) <= _TEXT_CHARS else text[: _TEXT_CHARS - 1] + "…"
    return "\n".join([
        f"【{head}】{ticket.number}",
        f"类别：{ticket.category}　紧急程度：{SEVERITY[ticket.severity]}",
        f"客户：{who(customer)}",
        f"内容：{body}",
        f"首次响应期限：{local(ticket.first_response_due, timezone)}",
        f"受理请回复 /ack {ticket.number}",
    ])  # fmt: skip


def assigned(ticket: Complaint, customer: Customer, by: str, timezone: str) -> str:
    return "\n".join([
        f"【投诉指派】{ticket.number} 由 {by} 指派给您",
        f"类别：{ticket.category}　紧急程度：{SEVERITY[ticket.severity]}"
        f"　状态：{STATUS[ticket.status]}",
        f"客户：{who(customer)}",
        f"内容：{(ticket.summary or '')[:_TEXT_CHARS]}",
        f"解决期限：{local(ticket.resolution_due, timezone)}　详情：/ticket {ticket.number}",
    ])  # fmt: skip


def escalation(ticket: Complaint, customer: Customer, kind: str, timezone: str) -> str:
    what = "首次响应" if kind == "first_response" else "解决"
    due = ticket.first_response_due if kind == "first_response" else ticket.resolution_due
    return "\n".join([
        f"【投诉超时升级】{ticket.number} 已超过{what}期限（{local(due, timezone)}）",
        f"类别：{ticket.category}　紧急程度：{SEVERITY[ticket.severity]}"
        f"　状态：{STATUS[ticket.status]}　负责人：{ticket.assignee or '未分配'}",
        f"客户：{who(customer)}",
        f"内容：{(ticket.summary or '')[:_TEXT_CHARS]}",
        f"请尽快跟进：/ticket {ticket.number}",
    ])  # fmt: skip


def history_line(action: str, at: datetime, actor: str, moved: tuple[str | None, str | None],
                 note: str | None, timezone: str) -> str:  # fmt: skip
    """`12-02 00:17 staff:demo_kefu 受理（待受理→处理中）：note`"""
    names = {s.value: name for s, name in STATUS.items()}
    before, after = moved
    move = (
        f"（{names.get(before or '', '新建')}→{names.get(after or '', after)}）"
        if before != after
        else ""
    )
    said = f"：{note}" if note else ""
    return f"{local(at, timezone)} {actor} {ACTIONS.get(action, action)}{move}{said}"


def time_left(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "无期限"
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        return f"已超时 {_span(-minutes)}"
    return f"剩 {_span(minutes)}"


def _span(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时 {rest} 分" if hours else f"{rest} 分钟"
