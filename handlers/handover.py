"""Handing a customer over to a person: the on-duty staff get a WeCom app message with the
customer (masked) and the last messages. A failed notice is logged, never the customer's
problem: the caller learns only whether someone was told."""

from __future__ import annotations

import logging
import re
from zoneinfo import ZoneInfo

from crm.conversations import ChatLine, recent_messages
from crm.models import Channel, Customer, Direction
from crm.privacy import mask_name, mask_phone
from handlers.context import Context

log = logging.getLogger("siyu.handlers.handover")
_LINE_CHARS = 80
_CHANNELS = {Channel.OA: "公众号", Channel.WECOM: "企业微信"}
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


async def notify_staff(ctx: Context, customer: Customer, reason: str) -> bool:
    """Tell the on-duty staff (WeCom `touser` takes ids joined by "|"); False: nobody was."""
    on_duty = ctx.settings.on_duty()
    if not on_duty:
        return False
    try:
        lines = await recent_messages(customer.id, ctx.settings.human_agent.recent_messages)
        text = notice(ctx, customer, reason, lines)
        await ctx.messenger.to_staff("|".join(on_duty), text)
    except Exception:
        log.exception("hand-over notice for customer %s could not be sent", customer.id)
        return False
    return True


def notice(ctx: Context, customer: Customer, reason: str, lines: list[ChatLine]) -> str:
    name = mask_name(customer.display_name) or "未留名"
    phone = mask_phone(customer.phone) or "未留手机号"
    channel = _CHANNELS.get(ctx.message.channel, ctx.message.channel.value)
    text = [f"【{reason}】{channel}客户 {name}（{phone}，客户编号 {customer.id}）"]
    if lines:
        zone = ZoneInfo(ctx.timezone)
        text.append("最近消息：")
        text += [_chat_line(line, zone, customer.display_name) for line in lines]
    text.append("请尽快联系客户跟进。")
    return "\n".join(text)


def _chat_line(line: ChatLine, zone: ZoneInfo, name: str | None) -> str:
    who = "客户" if line.direction is Direction.IN else "我们"
    content = _masked(" ".join(line.text.split()), name)
    if len(content) > _LINE_CHARS:
        content = content[: _LINE_CHARS - 1] + "…"
    return f"{line.at.astimezone(zone):%m-%d %H:%M} {who}：{content}"


def _masked(text: str, name: str | None) -> str:
    """The customer's name and any mobile number in a chat line, masked like the header."""
    if name:
        text = text.replace(name, mask_name(name) or "")
    return _MOBILE.sub(lambda m: mask_phone(m.group()) or "", text)
