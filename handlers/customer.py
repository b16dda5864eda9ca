"""A customer's messages: opt-out and back in, human agent, keyword auto-replies, default."""

from __future__ import annotations

from crm import customers
from crm.actors import Actor
from handlers.context import Context
from handlers.filters import has_text, intent, text_equals
from handlers.router import Router
from handlers.types import Reply

router = Router("customer")

_OPT_OUT_WORDS = ("退订", "td", "取消订阅", "unsubscribe")
_OPT_IN_WORDS = ("恢复订阅", "重新订阅")


def _wants_opt_out(ctx: Context) -> bool:
    return text_equals(*_OPT_OUT_WORDS)(ctx) or intent("unsubscribe")(ctx)


@router.message(_wants_opt_out)
async def opt_out(ctx: Context) -> Reply:
    assert ctx.customer is not None
    await customers.opt_out(ctx.customer, Actor.customer(ctx.customer.id))
    return ctx.reply("已为您退订营销消息，之后不会再打扰您。如想重新接收，回复「恢复订阅」即可。")


@router.message(text_equals(*_OPT_IN_WORDS))
async def opt_in(ctx: Context) -> Reply:
    assert ctx.customer is not None
    await customers.opt_in(ctx.customer, Actor.customer(ctx.customer.id))
    return ctx.reply("已为您恢复订阅，感谢您的支持！")


@router.message(
    lambda ctx: text_equals("人工", "转人工", "人工客服")(ctx) or intent("human_agent")(ctx)
)
async def human_agent(ctx: Context) -> Reply:
    return ctx.reply("好的，已为您转接人工客服，请稍候，客服会尽快回复您。")


def _auto_reply_for(ctx: Context) -> str | None:
    text = ctx.text
    for rule in ctx.settings.auto_replies:
        hit = text in rule.keywords if rule.exact else any(k in text for k in rule.keywords)
        if hit:
            return rule.reply
    return None


@router.message(lambda ctx: _auto_reply_for(ctx) is not None)
async def auto_reply(ctx: Context) -> Reply:
    reply = _auto_reply_for(ctx)
    return ctx.reply(reply) if reply else None


@router.message(intent("greeting"))
async def greeting(ctx: Context) -> Reply:
    name = ctx.customer.display_name if ctx.customer else None
    hello = f"{name}，您好！" if name else "您好！"
    return ctx.reply(f"{hello}欢迎来到{ctx.settings.brand_name}，有什么可以帮您的吗？")


@router.message(intent("thanks"))
async def thanks(ctx: Context) -> Reply:
    return ctx.reply("不客气，能帮到您是我们的荣幸！还有其他问题随时找我们哦～")


@router.message(has_text)
async def default(ctx: Context) -> Reply:
    if ctx.settings.default_reply:
        return ctx.reply(ctx.settings.default_reply)
    return ctx.render("default_reply")
