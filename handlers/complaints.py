"""Complaints in the chat, and the staff commands that handle them.

`router` (customer side, before customer.router): 投诉 / the complaint intent opens a ticket
or adds to the open one; when details are missing ONE follow-up question is asked and the
next message answers it (InState); 没解决 / 还是不行 soon after resolution reopens the ticket;
a 1–5 answer after resolution is the satisfaction rating. Staff are notified at once, off the
reply's path: a failed notice stays queued and the leader's job retries it.

`staff_router` (before staff.router): /complaints /ticket /ack /assign /note /resolve /close
/category. A wrong ticket, status or argument gets one line with the correct usage."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from crm import complaints, privacy, surveys
from crm.actors import Actor
from crm.clock import Clock
from crm.complaints import classify, intake, notifications, numbers, queries, rating, texts
from crm.complaints import config as complaint_config
from crm.complaints.handling import record_outcome, tell_assignee, window_open
from crm.errors import ComplaintError, ComplaintNotFound, ComplaintStateError
from crm.models import Complaint, ComplaintNotification, Customer, Role, Staff
from crm.permissions import Action
from handlers.context import Context, Messenger
from handlers.customer import wants_opt_out
from handlers.filters import (
    AsyncFilter,
    CommandCall,
    Filter,
    FilterResult,
    InState,
    IntentIs,
    TextContains,
    has_customer,
    has_text,
)
from handlers.router import Router
from handlers.state import ConversationState, clear_state, set_state
from handlers.types import Reply
from nlp import Intent

log = logging.getLogger("siyu.handlers.complaints")

router = Router("complaints")
staff_router = Router("complaint_staff")

FLOW, DETAILS = "complaint", "details"
complains = IntentIs(Intent.COMPLAINT) | TextContains("投诉")
_ORDER_NUMBER = re.compile(r"\d{6,}")
_ORDER_CATEGORIES = frozenset({"物流配送", "商品质量", "退款退货", "价格"})
_NOT_FIXED = ("没解决", "没有解决", "还是不行", "还没解决", "问题还在")
_background: set[asyncio.Task[None]] = set()


# -- customer side ------------------------------------------------------------------------


def _incoming(ctx: Context, customer: Customer) -> intake.Incoming:
    signals = classify.Signals(
        None if ctx.analysis is None else ctx.analysis.sentiment.score,
        ctx.intent is Intent.COMPLAINT,
    )
    admins = tuple(ctx.settings.on_duty())  # human_agent.notify, default the staff admins
    return intake.Incoming(
        customer, ctx.text, ctx.message.dedupe_key, signals, ctx.timezone, admins
    )


def _follow_up(ticket: Complaint, text: str) -> str | None:
    """The one question to ask when the first message lacks details (None: it has them)."""
    if ticket.category in _ORDER_CATEGORIES and not _ORDER_NUMBER.search(text):
        return "为了尽快帮您处理，方便提供一下订单号吗？"
    if len(text.replace("我要投诉", "").replace("投诉", "").strip(" ，,。！!")) < (
        complaint_config.current().min_detail_chars
    ):
        return "能具体说说遇到了什么问题吗？比如商品、时间和经过，我们好尽快核实。"
    return None


@router.message(InState(FLOW, DETAILS), ~wants_opt_out, has_customer, has_text)
async def details_answer(ctx: Context, customer: Customer, state: ConversationState) -> Reply:
    """The next message after the follow-up question is its answer."""
    settings = complaint_config.current()
    actor = Actor.customer(customer.id)
    ticket = await intake.answer(int(state.data["ticket"]), _incoming(ctx, customer), settings,
                                 actor=actor, clock=ctx.clock)  # fmt: skip
    await clear_state(ctx)
    return ctx.reply(f"收到，已补充到工单 {ticket.number}。客服同事会尽快联系您，请您留意消息。")


class ReopenableTicket(AsyncFilter):
    """没解决 / 还是不行 and a ticket resolved within `reopen_days`; gives `ticket`."""

    provides = frozenset({"ticket"})

    async def check_async(self, ctx: Context) -> FilterResult:
        if ctx.customer is None or not any(words in ctx.text for words in _NOT_FIXED):
            return False
        found = await intake.reopenable(ctx.customer.id, complaint_config.current(), ctx.clock)
        return False if found is None else {"ticket": found}


class RatingAnswer(AsyncFilter):
    """A 1–5 answer while a resolved ticket awaits its rating; gives `ticket` and `score`."""

    provides = frozenset({"ticket", "score"})

    async def check_async(self, ctx: Context) -> FilterResult:
        score = rating.parse(ctx.text)
        if ctx.customer is None or score is None:
            return False
        found = await intake.awaiting_rating(ctx.customer.id, complaint_config.current(), ctx.clock)
        return False if found is None else {"ticket": found, "score": score}


@router.message(ReopenableTicket(), has_customer)
async def reopen(ctx: Context, customer: Customer, ticket: Complaint) -> Reply:
    settings = complaint_config.current()
    done = await complaints.reopen(
        ticket.id,
        _incoming(ctx, customer),
        settings,
        actor=Actor.customer(customer.id),
        clock=ctx.clock,
    )
    _notify_soon(ctx, done.queued)
    return ctx.reply(
        f"非常抱歉问题还没有解决！工单 {done.ticket.number} 已重新打开，"
        "我们已通知客服同事优先跟进，请您稍候。"
    )


@router.message(RatingAnswer(), has_customer)
async def satisfaction(ctx: Context, customer: Customer, ticket: Complaint, score: int) -> Reply:
    await complaints.rate(ticket.id, score, actor=Actor.customer(customer.id), clock=ctx.clock)
    if score <= 2:
        return ctx.reply("非常抱歉这次没能让您满意，我们会请主管回访，继续改进。感谢您的反馈！")
    return ctx.reply("感谢您的评价！我们会继续努力，有任何问题随时找我们。")


@router.message(complains, has_customer, has_text)
async def complaint(ctx: Context, customer: Customer) -> Reply:
    settings = complaint_config.current()
    got = await complaints.complain(
        _incoming(ctx, customer), settings, actor=Actor.customer(customer.id), clock=ctx.clock
    )
    _notify_soon(ctx, got.queued)
    if not got.created:
        return ctx.reply(f"已将您的补充记录到工单 {got.ticket.number}，客服同事会一并处理。")
    opened = f"非常抱歉给您带来不好的体验！已为您登记投诉，工单号 {got.ticket.number}。"
    question = _follow_up(got.ticket, ctx.text)
    if question is None:
        return ctx.reply(opened + _who_follows_up(got))
    await set_state(ctx, FLOW, DETAILS, {"ticket": got.ticket.id})
    later = "客服同事会尽快跟进。" if got.queued else "客服同事上班后会第一时间处理。"
    return ctx.reply(opened + later + question)


def _who_follows_up(got: intake.Intake) -> str:
    if got.queued:
        return "客服同事会尽快联系您处理，请您留意消息。"
    return "客服同事上班后会第一时间查看并回复您，请您留意消息。"


# -- notifying staff at once --------------------------------------------------------------


class _ViaMessenger:
    """WeCom app messages through the messenger (tags and the robot: the retry job)."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def send(self, target: str, recipient: str, text: str) -> None:
        await self.messenger.to_staff(recipient, text)


def _notify_soon(ctx: Context, ids: list[int]) -> None:
    """Off the reply's path: the customer's answer never waits for WeCom."""
    if ids:
        task = asyncio.create_task(_notify(ctx.messenger, ids, ctx.clock))
        _background.add(task)
        task.add_done_callback(_background.discard)


async def _notify(messenger: Messenger, ids: list[int], clock: Clock) -> None:
    settings = complaint_config.current().notify
    rows = await ComplaintNotification.filter(id__in=ids, target=notifications.TOUSER)
    for row in rows:
        try:
            async with asyncio.timeout(settings.send_timeout_seconds):
                await notifications.deliver(row, _ViaMessenger(messenger), settings, clock)
        except Exception:
            log.exception("complaint notification %s: left for the retry job", row.id)


async def drain() -> None:
    """Wait for notifications under way (shutdown, tests)."""
    while _background:
        await asyncio.gather(*_background, return_exceptions=True)


# -- staff commands -----------------------------------------------------------------------


def _actor(staff: Staff) -> Actor:
    return Actor.staff(staff.userid, staff.role, staff.name or "")


async def _explained(usage: str, work: Callable[[], Awaitable[str]]) -> str:
    """The command's answer, or one line saying what was wrong and how to type it."""
    try:
        return await work()
    except ComplaintNotFound:
        return f"没有找到这个工单，请核对工单号。用法：{usage}"
    except ComplaintStateError as exc:
        return f"工单当前状态不能这样操作（{_state_name(exc.status)}）。用法：{usage}"
    except ComplaintError:
        return f"输入有误，请检查后再试。用法：{usage}"


def _state_name(status: str) -> str:
    names = {s.value: name for s, name in texts.STATUS.items()}
    return names.get(status, status)


def _missing(command: CommandCall, count: int, usage: str) -> str | None:
    if len(command.args) < count:
        return f"缺少参数。用法：{usage}"
    return None


def _rest_after_id(command: CommandCall) -> str:
    return command.rest.split(maxsplit=1)[1].strip() if len(command.args) > 1 else ""


@staff_router.command("complaints", help="待处理的投诉（最早的在前，含 SLA 剩余时间）",
                      action=Action.COMPLAINTS_READ)  # fmt: skip
async def list_open(ctx: Context, staff: Staff) -> Reply:
    tickets = await queries.open_tickets(actor=_actor(staff))
    if not tickets:
        return ctx.reply("目前没有待处理的投诉。")
    now, lines = ctx.clock.now(), [f"待处理投诉 {len(tickets)} 件（最早的在前）："]
    lines += [_ticket_line(ticket, now) for ticket in tickets]
    return ctx.reply("\n".join(lines))


def _ticket_line(ticket: Complaint, now: Any) -> str:
    due = ticket.resolution_due if ticket.first_response_at else ticket.first_response_due
    what = "解决" if ticket.first_response_at else "首次响应"
    return (
        f"{ticket.number} [{ticket.category}/{texts.SEVERITY[ticket.severity]}] "
        f"{texts.STATUS[ticket.status]} {ticket.assignee or '未分配'}，"
        f"{what}{texts.time_left(due, now)}"
    )


@staff_router.command("ticket", help="查看工单详情和处理记录：/ticket 工单号",
                      action=Action.COMPLAINTS_READ)  # fmt: skip
async def ticket_detail(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/ticket C20261201-0001"
    if missing := _missing(command, 1, usage):
        return ctx.reply(missing)

    async def work() -> str:
        found = await complaints.detail(command.args[0], actor=_actor(staff))
        await _detail_read(ctx, staff, found)
        return _detail_text(found, ctx.timezone, staff.role)

    return ctx.reply(await _explained(usage, work))


async def _detail_read(ctx: Context, staff: Staff, found: queries.Detail) -> None:
    """An admin sees the name and the texts unmasked: that read is audited."""
    actor, rid, cid = _actor(staff), ctx.message.dedupe_key[:64], found.customer.id
    texts_shown = [m.text for m in found.messages] + [h.note for h in found.history]
    texts_shown += [found.ticket.resolution]
    if found.customer.display_name:
        await privacy.record_unmasked_read(actor, "customer", [cid], ["name"], request_id=rid)
    await privacy.record_text_read(actor, "customer", cid, texts_shown, request_id=rid)


def _detail_text(found: queries.Detail, timezone: str, role: Role) -> str:
    """Personal data masked for `role` (the phone always: /ticket needs none)."""
    t, c = found.ticket, found.customer
    name = privacy.masked(role, privacy.Personal.NAME, c.display_name) or "未留名"
    phone = privacy.mask_phone(c.phone) or "未留手机号"
    lines = [
        f"工单 {t.number}　{texts.STATUS[t.status]}　{t.category}/{texts.SEVERITY[t.severity]}",
        f"客户：{name}（{phone}，客户编号 {c.id}）",
        f"负责人：{t.assignee or '未分配'}　创建：{texts.local(t.created_at, timezone)}",
        f"首次响应期限：{texts.local(t.first_response_due, timezone)}　"
        f"解决期限：{texts.local(t.resolution_due, timezone)}",
    ]
    lines += [f"客户：{privacy.mask_text(role, m.text)}" for m in found.messages[-5:]]
    if t.resolution:
        lines.append(f"处理结果：{privacy.mask_text(role, t.resolution)}")
    if t.satisfaction:
        lines.append(f"满意度：{t.satisfaction}/5")
    lines.append("处理记录：")
    lines += [_history_line(h, timezone, role) for h in found.history]
    return "\n".join(lines)


def _history_line(h: Any, timezone: str, role: Role) -> str:
    moved = (h.from_status, h.to_status)
    note = privacy.mask_text(role, h.note)
    return texts.history_line(h.action, h.at, h.actor, moved, note, timezone)


@staff_router.command("ack", help="受理投诉：/ack 工单号", action=Action.COMPLAINTS_HANDLE)
async def ack(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/ack C20261201-0001"
    if missing := _missing(command, 1, usage):
        return ctx.reply(missing)

    async def work() -> str:
        t = await complaints.acknowledge(command.args[0], actor=_actor(staff), clock=ctx.clock)
        return f"已受理工单 {t.number}，负责人：{t.assignee}。"

    return ctx.reply(await _explained(usage, work))


@staff_router.command("assign", help="指派负责人：/assign 工单号 成员ID",
                      action=Action.COMPLAINTS_HANDLE)  # fmt: skip
async def assign(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/assign C20261201-0001 成员ID"
    if missing := _missing(command, 2, usage):
        return ctx.reply(missing)

    async def work() -> str:
        actor = _actor(staff)
        t = await complaints.assign(command.args[0], command.args[1], actor=actor, clock=ctx.clock)
        _notify_soon(ctx, await tell_assignee(t, by=actor, timezone=ctx.timezone, clock=ctx.clock))
        return f"工单 {t.number} 已指派给 {t.assignee}，已通知对方。"

    return ctx.reply(await _explained(usage, work))


class TicketFirst(Filter):
    """The command's first argument is a ticket number: `/note C… 文字` is a ticket note,
    `/note 42 文字` stays the customer note of the staff commands."""

    def check(self, ctx: Context) -> FilterResult:
        parts = ctx.text.split(maxsplit=2)
        return len(parts) > 1 and numbers.normalise(parts[1]) is not None


@staff_router.command("note", TicketFirst(), help="给工单添加处理备注：/note 工单号 内容",
                      action=Action.COMPLAINTS_HANDLE)  # fmt: skip
async def note(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/note C20261201-0001 备注内容"
    if missing := _missing(command, 2, usage):
        return ctx.reply(missing)

    async def work() -> str:
        t = await complaints.note(
            command.args[0], _rest_after_id(command), actor=_actor(staff), clock=ctx.clock
        )
        return f"已在工单 {t.number} 添加备注。"

    return ctx.reply(await _explained(usage, work))


@staff_router.command("resolve", help="解决并告知客户：/resolve 工单号 处理结果",
                      action=Action.COMPLAINTS_HANDLE)  # fmt: skip
async def resolve(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/resolve C20261201-0001 处理结果"
    if missing := _missing(command, 2, usage):
        return ctx.reply(missing)

    async def work() -> str:
        actor = _actor(staff)
        t = await complaints.resolve(
            command.args[0], _rest_after_id(command), actor=actor, clock=ctx.clock
        )
        told = await tell_customer(ctx.messenger, t, actor, ctx.clock)
        await on_resolved(t.customer_id)  # type: ignore[attr-defined]
        return f"工单 {t.number} 已标记为已解决。{told}"

    return ctx.reply(await _explained(usage, work))


WINDOW_CLOSED = (
    "客户 48 小时内没有发消息，客服消息窗口已关闭，处理结果未推送，请电话或企业微信联系客户。"
)
SATISFACTION_QUESTION = (
    "请问您对这次的处理结果满意吗？请回复 1–5 的数字打分（5 分最满意），感谢您的反馈！"
)


async def tell_customer(messenger: Messenger, ticket: Complaint, actor: Actor, clock: Clock) -> str:
    """The resolution and the satisfaction question, inside WeChat's 48-hour window only
    (both doors: the /resolve command and the admin API); what staff are told of it."""
    customer = await Customer.get(id=ticket.customer_id)  # type: ignore[attr-defined]
    if not customer.openid or not window_open(await queries.last_inbound(customer.id), clock.now()):
        await record_outcome(ticket.id, WINDOW_CLOSED, actor=actor, asked=False, clock=clock)
        return WINDOW_CLOSED
    try:
        result = f"您的投诉（工单 {ticket.number}）处理结果：{ticket.resolution}"
        await messenger.to_customer(customer, result)
        await messenger.to_customer(customer, SATISFACTION_QUESTION)
    except Exception as exc:  # the window may close between our check and WeChat's
        log.warning("resolution of %s not pushed: %s", ticket.number, type(exc).__name__)
        closed = bool(getattr(exc, "window_closed", False))
        note = "客服消息窗口已关闭" if closed else "推送失败"
        await record_outcome(ticket.id, f"处理结果未推送（{note}），请另行联系客户。",
                             actor=actor, asked=False, clock=clock)  # fmt: skip
        return f"处理结果未能推送给客户（{note}），请另行联系客户。"
    await record_outcome(
        ticket.id, "处理结果和满意度问题已推送给客户", actor=actor, asked=True, clock=clock
    )
    return "处理结果和满意度问题已发送给客户。"


async def on_resolved(customer_id: int) -> None:
    """The survey configured after a resolved complaint (surveys.after.complaint_resolved),
    if any, besides the ticket's own 1–5 question."""
    await surveys.on_complaint_resolved(customer_id)


@staff_router.command("close", help="关闭工单：/close 工单号", action=Action.COMPLAINTS_HANDLE)
async def close(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    usage = "/close C20261201-0001"
    if missing := _missing(command, 1, usage):
        return ctx.reply(missing)

    async def work() -> str:
        t = await complaints.close(command.args[0], actor=_actor(staff), clock=ctx.clock)
        return f"工单 {t.number} 已关闭。"

    return ctx.reply(await _explained(usage, work))


@staff_router.command("category", help="修改投诉类别：/category 工单号 类别",
                      action=Action.COMPLAINTS_HANDLE)  # fmt: skip
async def category(ctx: Context, staff: Staff, command: CommandCall) -> Reply:
    names = "、".join(complaint_config.current().category_names())
    usage = f"/category C20261201-0001 类别（可选：{names}）"
    if missing := _missing(command, 2, usage):
        return ctx.reply(missing)

    async def work() -> str:
        t = await complaints.recategorise(
            command.args[0],
            command.args[1],
            complaint_config.current(),
            actor=_actor(staff),
            clock=ctx.clock,
        )
        return f"工单 {t.number} 的类别已改为 {t.category}。"

    return ctx.reply(await _explained(usage, work))
