"""A customer asking about their points (积分) gets the balance and what expires soonest."""

from __future__ import annotations

from crm import points
from handlers.context import Context
from handlers.filters import intent, text_equals
from handlers.router import Router
from handlers.types import Reply

router = Router("points")


def _asks_points(ctx: Context) -> bool:
    return text_equals("积分", "查积分", "我的积分")(ctx) or intent("points_query")(ctx)


@router.message(_asks_points)
async def points_query(ctx: Context) -> Reply:
    assert ctx.customer is not None
    summary = await points.points_summary(ctx.customer.id)
    return ctx.reply(points.describe(summary, ctx.timezone))
