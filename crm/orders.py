"""Orders flowing in from the brand's shop: idempotent by the shop's own order id, and the
customer's purchase figures (total spent, order count, first and last order) kept in step.
Total spent is in the base currency (crm/currency.py); an order keeps its own currency."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from crm import currency, customers
from crm.actors import Actor
from crm.errors import Conflict
from crm.models import Order
from crm.sql import execute, fetch
from crm.sql import marks as placeholders
from crm.transactions import transaction

log = logging.getLogger("siyu.orders")


class OrderFields(BaseModel):
    """An order as the shop reports it (the admin API's body is this, unstripped)."""

    model_config = ConfigDict(frozen=True)

    external_id: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$",
                             description="the shop's order id")  # fmt: skip
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="one with a configured rate")
    items_summary: str | None = Field(None, max_length=255)
    paid_at: AwareDatetime
    channel: str | None = Field(None, max_length=32)


class OrderInput(OrderFields):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    customer_id: int


async def record_order(
    data: OrderInput, *, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> tuple[Order, bool]:
    """Store an order once; (order, created). The same external id again returns the first.
    An order for a merged-away customer id is the survivor's."""
    survivor = await customers.survivor_id(data.customer_id, conn)
    data = data.model_copy(update={"customer_id": survivor})
    existing = await Order.get_or_none(external_id=data.external_id, using_db=conn)
    if existing is not None:
        return _same(existing, data), False
    currency.check([data.currency])
    try:
        async with transaction(conn) as tx:
            # Again under the lock: a merge may have committed since the look-up above.
            survivor = await customers.survivor_id(data.customer_id, tx, lock=True)
            data = data.model_copy(update={"customer_id": survivor})
            order = await Order.create(using_db=tx, **data.model_dump())
            await refresh_order_stats([data.customer_id], tx)
    except IntegrityError:
        return _same(await Order.get(external_id=data.external_id, using_db=conn), data), False
    log.info(
        "order %s recorded for customer %s by %s", order.external_id, data.customer_id, actor.label
    )
    return order, True


def _same(order: Order, data: OrderInput) -> Order:
    if order.customer_id != data.customer_id:  # type: ignore[attr-defined]
        raise Conflict(f"订单号 {data.external_id} 已属于另一位客户")
    return order


_STATS = """
UPDATE "customer" SET "total_spent" = COALESCE(s.spent, 0), "order_count" = COALESCE(s.n, 0),
  "first_order_at" = s.first_at, "last_order_at" = s.last_at
FROM "customer" c LEFT JOIN (
  SELECT o."customer_id", SUM({to_base}) AS spent, COUNT(*) AS n, MIN(o."paid_at") AS first_at,
         MAX(o."paid_at") AS last_at
  FROM "orders" o {where_orders} GROUP BY o."customer_id"
) s ON s."customer_id" = c."id"
WHERE "customer"."id" = c."id" {where_customers}
"""
_UNKNOWN = 'SELECT DISTINCT "currency" FROM "orders" o WHERE "currency" NOT IN ({known}) {and_ids}'


async def refresh_order_stats(
    customer_ids: Sequence[int] | None = None, conn: BaseDBAsyncClient | None = None
) -> int:
    """Recompute the purchase figures from the orders (for the given customers, or everyone);
    UnknownCurrency if an order's currency has no rate (nothing is changed then)."""
    if customer_ids is None:
        await _check_currencies("", [], conn)
        return await execute(_stats_sql("", ""), (), conn)
    ids = sorted(set(customer_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = placeholders(len(chunk))
        await _check_currencies(f'AND o."customer_id" IN ({marks})', chunk, conn)
        sql = _stats_sql(f'WHERE o."customer_id" IN ({marks})', f'AND c."id" IN ({marks})')
        changed += await execute(sql, [*chunk, *chunk], conn)
    return changed


def _stats_sql(where_orders: str, where_customers: str) -> str:
    to_base = currency.sql_to_base('o."amount"', 'o."currency"')
    return _STATS.format(
        to_base=to_base, where_orders=where_orders, where_customers=where_customers
    )


async def _check_currencies(and_ids: str, ids: list[int], conn: BaseDBAsyncClient | None) -> None:
    known = ", ".join(f"'{code}'" for code in sorted(currency.rates()))
    rows = await fetch(_UNKNOWN.format(known=known, and_ids=and_ids), ids, conn)
    currency.check(r["currency"] for r in rows)


async def orders_of(customer_id: int, limit: int = 50) -> list[Order]:
    return await Order.filter(customer_id=customer_id).order_by("-paid_at").limit(limit)
