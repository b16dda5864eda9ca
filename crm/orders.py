"""Orders flowing in from the brand's shop: idempotent by the shop's own order id, and the
customer's purchase figures (total spent, order count, first and last order) kept in step."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from crm.errors import Conflict, NotFound
from crm.models import Customer, Order
from crm.sql import execute


class OrderInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    external_id: str = Field(min_length=1, max_length=64)
    customer_id: int
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    items_summary: str | None = Field(None, max_length=255)
    paid_at: AwareDatetime
    channel: str | None = Field(None, max_length=32)


async def record_order(data: OrderInput) -> tuple[Order, bool]:
    """Store an order once; (order, created). The same external id again returns the first."""
    existing = await Order.get_or_none(external_id=data.external_id)
    if existing is not None:
        return _same(existing, data), False
    if not await Customer.exists(id=data.customer_id):
        raise NotFound(f"客户 {data.customer_id} 不存在")
    try:
        async with in_transaction() as tx:
            order = await Order.create(using_db=tx, **data.model_dump())
            await refresh_order_stats([data.customer_id], tx)
    except IntegrityError:
        return _same(await Order.get(external_id=data.external_id), data), False
    return order, True


def _same(order: Order, data: OrderInput) -> Order:
    if order.customer_id != data.customer_id:  # type: ignore[attr-defined]
        raise Conflict(f"订单号 {data.external_id} 已属于另一位客户")
    return order


_STATS = """
UPDATE "customer" SET
  "total_spent" = COALESCE((SELECT SUM(o."amount") FROM "orders" o
                            WHERE o."customer_id" = "customer"."id"), 0),
  "order_count" = (SELECT COUNT(*) FROM "orders" o WHERE o."customer_id" = "customer"."id"),
  "first_order_at" = (SELECT MIN(o."paid_at") FROM "orders" o
                      WHERE o."customer_id" = "customer"."id"),
  "last_order_at" = (SELECT MAX(o."paid_at") FROM "orders" o
                     WHERE o."customer_id" = "customer"."id")
"""


async def refresh_order_stats(
    customer_ids: Sequence[int] | None = None, conn: BaseDBAsyncClient | None = None
) -> int:
    """Recompute the purchase figures from the orders (for the given customers, or everyone)."""
    if customer_ids is None:
        return await execute(_STATS, (), conn)
    ids = sorted(set(customer_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        changed += await execute(f'{_STATS} WHERE "id" IN ({marks})', chunk, conn)
    return changed


async def orders_of(customer_id: int, limit: int = 50) -> list[Order]:
    return await Order.filter(customer_id=customer_id).order_by("-paid_at").limit(limit)
