"""A customer's messages: opt-out and back in, human agent, complaints, keyword auto-replies,
greetings and thanks, default."""

from __future__ import annotations

from crm import customers
from crm.actors import Actor
from crm.models import Customer
from crm.pipl import consent
from handlers import handover
from handlers.config import AutoReply
from handlers.context import Context
from handlers.filters import (
    IntentIs,
    MatchesAutoReply,
    TextContains,
    TextIn,
    has_customer,
    has_text,
)
from handlers.router import Router
from handlers.types import Reply
from nlp import Intent

router = Router("customer")

wants_opt_out = TextIn("退订", "td", "取消订阅", "unsubscribe") | IntentIs(Intent.UNSUBSCRIBE)
wants_human = TextIn("人工", "转人工", "人工客服") | IntentIs(Intent.HUMAN_AGENT)
complains = IntentIs(Intent.COMPLAINT) | TextContains("投诉", "退款")


@router.message(wants_opt_out, has_customer)
async def opt_out(ctx: Context, customer: Customer) -> Reply:
    await customers.opt_out(customer, Actor.customer(customer.id))
    await consent.withdraw(customer.id, consent.Change(consent.ConsentSource.UNSUBSCRIBE_TEXT))
    return ctx.reply("已为您退订营销消息，之后不会再打扰您。如想重新接收，回复「恢复订阅」即可。")


@router.message(TextIn("恢复订阅", "重新订阅", "订阅"), has_customer)
async def opt_in(ctx: Context, customer: Customer) -> Reply:
    await customers.opt_in(customer, Actor.customer(customer.id))
    await consent.grant(customer.id, consent.Change(consent.ConsentSource.SUBSCRIBE_TEXT))
    return ctx.reply("已为您恢复订阅，感谢您的支持！")


@router.message(wants_human, has_customer)
async def human_agent(ctx: Context, customer: Customer) -> Reply:
    if await handover.notify_staff(ctx, customer, "转人工"):
        return ctx.reply("好的，已为您转接人工客服，请稍候，客服会尽快回复您。")
    return ctx.render("no_agent")


@router.message(complains, has_customer)
async def complaint(ctx: Context, customer: Customer) -> Reply:
    notified = await handover.notify_staff(ctx, customer, "客户投诉")
    return ctx.render("complaint", notified=notified)


@router.message(MatchesAutoReply())
async def auto_reply(ctx: Context, rule: AutoReply) -> Reply:
    return ctx.reply(rule.reply)


@router.message(IntentIs(Intent.GREETING))
async def greeting(ctx: Context) -> Reply:
    name = ctx.customer.display_name if ctx.customer else None
    hello = f"{name}，您好！" if name else "您好！"
    return ctx.reply(f"{hello}欢迎来到{ctx.settings.brand_name}，有什么可以帮您的吗？")


@router.message(IntentIs(Intent.THANKS))
async def thanks(ctx: Context) -> Reply:
    return ctx.reply("不客气，能帮到您是我们的荣幸！还有其他问题随时找我们哦～")


@router.message(has_text)
async def default(ctx: Context) -> Reply:
    if ctx.settings.default_reply:
        return ctx.reply(ctx.settings.default_reply)
    return ctx.render("default_reply")
