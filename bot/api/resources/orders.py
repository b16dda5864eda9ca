"""/v1/customers/{customer_id}/orders: the brand's shop reports an order as it is paid.

Idempotent by the shop's own order id (`external_id`): a retry returns the first order with
`created: false` and changes nothing. A customer's first order sends the survey configured
in `surveys.after.first_order`, if any (crm.surveys.on_first_order), after the order has
committed: a survey that cannot be sent never loses the order. Historical orders belong in
`siyu import orders`, which sends no survey."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from bot.api.models import Out, Strict
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import surveys
from crm.models import Customer, Order
from crm.orders import OrderFields, OrderInput, record_order
from crm.permissions import Action

log = logging.getLogger("siyu.api")


class OrderIn(Strict, OrderFields):
    """Not stripped: an id with outer spaces is refused, not quietly changed."""


class OrderOut(Out):
    id: int
    external_id: str
    customer_id: int = Field(description="the live record (a merged-away id's survivor)")
    amount: Decimal
    currency: str
    items_summary: str | None
    paid_at: datetime
    channel: str | None
    created: bool = Field(description="false: this external id was recorded before")


@API.route("POST", "/v1/customers/{customer_id}/orders", action=Action.ORDERS_WRITE,
           tag="orders", body=OrderIn, response=OrderOut, status=201)  # fmt: skip
async def record_customer_order(call: Call) -> OrderOut:
    """Record a paid order once; the customer's purchase figures follow it."""
    data = OrderInput(customer_id=call["customer_id"], **call.body.model_dump())
    async with in_transaction() as tx:
        order, created = await record_order(data, actor=call.actor, conn=tx)
        if created:
            await audited(call, tx, "orders.create", "order", order.id, after=_audit(order))
    if created:
        await _first_order_survey(order)
    return _out(order, created)


def _audit(order: Order) -> dict[str, object]:
    return {"external_id": order.external_id, "customer_id": order.customer_id,  # type: ignore[attr-defined]
            "amount": str(order.amount), "currency": order.currency}  # fmt: skip


def _out(order: Order, created: bool) -> OrderOut:
    fields = {name: getattr(order, name) for name in OrderOut.model_fields if name != "created"}
    return OrderOut(**fields, created=created)


async def _first_order_survey(order: Order) -> None:
    customer = await Customer.get(id=order.customer_id)  # type: ignore[attr-defined]
    if customer.order_count != 1:
        return
    try:
        await surveys.on_first_order(customer.id)
    except Exception:  # the order has committed: a push that failed must not undo the answer
        log.exception("first-order survey for customer %s not sent", customer.id)
