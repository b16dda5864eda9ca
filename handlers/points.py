"""A customer asking about their points (积分) gets the balance and what expires soonest."""

from __future__ import annotations

from crm import points
from crm.models import Customer
from handlers.context import Context
from handlers.filters import IntentIs, TextIn, has_customer
from handlers.router import Router
from handlers.types import Reply
from nlp import Intent

router = Router("points")


@router.message(TextIn("积分", "查积分", "我的积分") | IntentIs(Intent.POINTS_QUERY), has_customer)
async def points_query(ctx: Context, customer: Customer) -> Reply:
    summary = await points.points_summary(customer.id, timezone=ctx.timezone)
    return ctx.reply(points.describe(summary, ctx.timezone))
