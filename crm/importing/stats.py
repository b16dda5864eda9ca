"""Purchase figures after an import batch, added rather than recomputed: the batch's INSERT
returns exactly the orders it stored, so each owner's total spent (in the base currency, as
crm.orders computes it), order count and first / last order move by just those, in one
UPDATE … FROM VALUES, without reading the orders table again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from crm import currency
from crm.importing.bulk import chunks, values_table
from crm.sql import as_datetime, execute


@dataclass
class _Added:
    spent: Decimal
    count: int
    first: datetime
    last: datetime


_TYPES = (("id", "bigint"), ("spent", "numeric"), ("n", "integer"),
          ("first_at", "timestamptz"), ("last_at", "timestamptz"))  # fmt: skip
_ADD = """
UPDATE "customer" SET
  "total_spent" = "customer"."total_spent" + v."spent",
  "order_count" = "customer"."order_count" + v."n",
  "first_order_at" = CASE WHEN "customer"."first_order_at" IS NULL
    OR v."first_at" < "customer"."first_order_at" THEN v."first_at"
    ELSE "customer"."first_order_at" END,
  "last_order_at" = CASE WHEN "customer"."last_order_at" IS NULL
    OR v."last_at" > "customer"."last_order_at" THEN v."last_at"
    ELSE "customer"."last_order_at" END
FROM {source} AS v WHERE "customer"."id" = v."id"
"""


async def add_order_stats(inserted: Iterable[dict[str, Any]]) -> None:
    added = _per_customer(inserted)
    rows = [(cid, a.spent, a.count, a.first, a.last) for cid, a in sorted(added.items())]
    for chunk in chunks(rows, len(_TYPES)):
        sql = _ADD.format(source=values_table(_TYPES, len(chunk)))
        await execute(sql, [v for row in chunk for v in row])


def _per_customer(inserted: Iterable[dict[str, Any]]) -> dict[int, _Added]:
    added: dict[int, _Added] = {}
    for order in inserted:
        amount = currency.to_base(Decimal(order["amount"]), order["currency"])
        paid = as_datetime(order["paid_at"])
        a = added.get(order["customer_id"])
        if a is None:
            added[order["customer_id"]] = _Added(amount, 1, paid, paid)
        else:
            a.spent, a.count = a.spent + amount, a.count + 1
            a.first, a.last = min(a.first, paid), max(a.last, paid)
    return added
