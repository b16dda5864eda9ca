"""Erasure doors in the chat: a customer asks (删除我的信息 / 注销) and confirms with 「确认删除」
within the window; an admin sends `/erase 客户ID` in WeCom. `erase_person` is the one path
every door takes (the admin API and the CLI call it too): erase in crm, end the person's chat
flows in the store, tell the person once.

The staff command lives here, in a router the root asks before staff.py's, because staff.py's
last route answers every unknown command."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from crm.actors import Actor
from crm.models import Channel, Customer, Staff
from crm.permissions import Action
from crm.pipl.erasure import Erased, erase_customer
from handlers.context import ChatState, Context, Messenger
from handlers.filters import CommandCall, InState, IntentIs, TextIn, has_customer
from handlers.router import Router
from handlers.staff import actor_of, request_id
from handlers.staff_text import customer_id, usage
from handlers.state import clear_state, set_state, state_key, suspended_key
from handlers.types import Reply
from nlp import Intent

log = logging.getLogger("siyu.handlers.erasure")
router = Router("erasure")
staff_router = Router("erasure_staff")

FLOW, CONFIRM = "erasure", "confirm"
CONFIRM_SECONDS = 600.0  # the window for 「确认删除」
CONFIRM_WORDS = ("确认删除",)
ASK = (
    "您申请删除在本品牌留存的个人信息（资料、聊天记录、标签、问卷留言等）。删除后无法恢复，"
    "订单与积分金额仅按法律要求匿名保留。如确认，请在 10 分钟内回复「确认删除」。"
)
DONE = "您的个人信息已删除，之后不会再收到我们的营销消息。感谢您一直以来的支持。"
CANCELLED = "已取消删除申请，您的信息保持不变。如需删除，可随时回复「删除我的信息」。"

wants_erasure = IntentIs(Intent.ERASE_REQUEST) | TextIn("删除我的信息", "删除我的数据", "注销")


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    erased: Erased
    told: bool  # the person got the confirmation message


async def end_flows(store: ChatState, erased: Erased) -> None:
    """No survey, complaint or other flow answers this person's next message."""
    for channel, sender in erased.senders:
        await store.delete(state_key(channel, sender))
        await store.delete(suspended_key(channel, sender))


async def _tell(messenger: Messenger, before: Customer | None, erased: Erased) -> bool:
    if before is None or erased.already:
        return False
    try:
        await messenger.to_customer(before, DONE)
    except Exception as exc:  # the Messenger names no errors: the erasure stands regardless
        log.warning("erasure of customer %s: confirmation not sent (%s)", erased.customer_id,
                    type(exc).__name__)  # fmt: skip
        return False
    return True


async def erase_person(
    customer_id: int, *, actor: Actor, store: ChatState, messenger: Messenger | None,
    request_id: str | None = None,
) -> ErasureOutcome:  # fmt: skip
    """Erase, end the flows, then tell the person once (through `messenger`; None: the door
    tells them itself, as the chat's passive reply does)."""
    erased = await erase_customer(customer_id, actor=actor, request_id=request_id)
    await end_flows(store, erased)
    told = messenger is not None and await _tell(messenger, _as_it_was(erased), erased)
    return ErasureOutcome(erased, told)


def _as_it_was(erased: Erased) -> Customer | None:
    """The live record with the openid it had (read before erasure), to be messaged once."""
    openids = [s for channel, s in erased.senders if channel is Channel.OA]
    return Customer(id=erased.customer_id, openid=openids[0]) if openids else None


# -- the chat door --------------------------------------------------------------------------


@router.message(InState(FLOW, CONFIRM), TextIn(*CONFIRM_WORDS), has_customer)
async def confirm_erasure(ctx: Context, customer: Customer) -> Reply:
    await clear_state(ctx)
    await erase_person(customer.id, actor=Actor.customer(customer.id), store=ctx.state,
                       messenger=None)  # fmt: skip
    return ctx.reply(DONE)


@router.message(InState(FLOW, CONFIRM), has_customer)
async def cancel_erasure(ctx: Context) -> Reply:
    await clear_state(ctx)
    return ctx.reply(CANCELLED)


@router.message(wants_erasure, has_customer)
async def ask_erasure(ctx: Context) -> Reply:
    await set_state(ctx, FLOW, CONFIRM, ttl=CONFIRM_SECONDS)
    return ctx.reply(ASK)


# -- the staff door -------------------------------------------------------------------------


@staff_router.command("erase", help="删除客户个人信息（PIPL）", action=Action.PII_MANAGE)
async def erase_command(ctx: Context, command: CommandCall, staff: Staff) -> Reply:
    """/erase 客户ID"""
    cid = customer_id(command.args, 1)
    if cid is None:
        return usage(erase_command)
    outcome = await erase_person(cid, actor=actor_of(staff), store=ctx.state,
                                 messenger=ctx.messenger, request_id=request_id(ctx))  # fmt: skip
    if outcome.erased.already:
        return ctx.reply(f"客户 {outcome.erased.customer_id} 的个人信息此前已删除，无需重复操作。")
    told = "已通知客户" if outcome.told else "未能通知客户（不在可发消息的时段内）"
    count, who = len(outcome.erased.record_ids), outcome.erased.customer_id
    return ctx.reply(f"客户 {who} 的个人信息已删除（{count} 条记录），{told}。")
