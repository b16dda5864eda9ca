from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.config import LifecycleSettings
from crm.errors import Conflict, NotFound
from crm.lifecycle import recompute_lifecycle, stage_flow
from crm.models import Customer, CustomerTag, LifecycleStage, Order, RfmScore
from crm.orders import OrderInput, record_order, refresh_order_stats
from crm.rfm import recompute_rfm
from crm.segments import context, rule_queryset
from tests.crm.conftest import NOW, MakeCustomer


def order(customer_id: int, external_id: str, amount: str, days_ago: int) -> OrderInput:
    return OrderInput(
        external_id=external_id, customer_id=customer_id, amount=Decimal(amount),
        paid_at=NOW - timedelta(days=days_ago), items_summary="面霜 x1", channel="shop",
    )  # fmt: skip


async def test_orders_are_idempotent_and_update_the_customer(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    first, created = await record_order(order(c.id, "T1", "199.50", 10), actor=SYSTEM)
    again, created_again = await record_order(order(c.id, "T1", "199.50", 10), actor=SYSTEM)
    assert created and not created_again and again.id == first.id
    await record_order(order(c.id, "T2", "100.50", 2), actor=SYSTEM)
    fresh = await Customer.get(id=c.id)
    assert fresh.total_spent == Decimal("300.00") and fresh.order_count == 2
    assert fresh.first_order_at == NOW - timedelta(days=10)
    assert fresh.last_order_at == NOW - timedelta(days=2)
    other = await make_customer()
    with pytest.raises(Conflict):
        await record_order(order(other.id, "T1", "199.50", 10), actor=SYSTEM)
    with pytest.raises(NotFound):
        await record_order(order(other.id + 99, "T9", "1", 1), actor=SYSTEM)
    with pytest.raises(ValidationError):
        order(c.id, "T3", "-1", 1)


async def test_refresh_order_stats_for_everyone(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    await Order.create(customer=c, external_id="X", amount=Decimal("5"), paid_at=NOW)
    assert (await Customer.get(id=c.id)).order_count == 0
    await refresh_order_stats()
    assert (await Customer.get(id=c.id)).order_count == 1


async def test_rfm_scores_are_quintiles_with_ties_sharing_a_score(
    make_customer: MakeCustomer,
) -> None:
    made = []
    for i in range(10):
        c = await make_customer()
        for k in range(i // 2 + 1):
            await record_order(
                order(c.id, f"R{i}-{k}", str(10 * (i + 1)), 100 - 10 * i), actor=SYSTEM
            )
        made.append(c)
    prospect = await make_customer()
    result = await recompute_rfm(clock=FrozenClock(NOW))
    assert (result.scored, result.changed) == (10, 10)
    scores = {s.customer_id: s for s in await RfmScore.all()}
    assert [scores[c.id].r_score for c in made] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [scores[c.id].f_score for c in made] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [scores[c.id].m_score for c in made] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert prospect.id not in scores
    assert (await recompute_rfm(clock=FrozenClock(NOW))).changed == 0
    await record_order(order(made[0].id, "R0-new", "1000", 0), actor=SYSTEM)
    again = await recompute_rfm(clock=FrozenClock(NOW))
    assert 0 < again.changed < 10
    fresh = await RfmScore.get(customer_id=made[0].id)
    assert (fresh.r_score, fresh.m_score) == (5, 5)


async def test_rfm_scores_select_customers_and_merged_ones_are_dropped(
    make_customer: MakeCustomer,
) -> None:
    best, low = await make_customer(), await make_customer()
    await record_order(order(best.id, "B1", "900", 1), actor=SYSTEM)
    await record_order(order(low.id, "L1", "10", 300), actor=SYSTEM)
    await recompute_rfm(clock=FrozenClock(NOW))
    # two customers: the better one is above the 20% and 40% boundaries, so scores 3
    rule = {"all": [{"field": "r_score", "op": "gte", "value": 3},
                    {"field": "m_score", "op": "between", "value": [3, 5]}]}  # fmt: skip
    ctx = context(clock=FrozenClock(NOW))
    assert await rule_queryset(rule, ctx).values_list("id", flat=True) == [best.id]
    low_rule = {"field": "f_score", "op": "ne", "value": 1}  # one order each: all score 1
    assert await rule_queryset(low_rule, ctx).count() == 0
    await Customer.filter(id=low.id).update(merged_into_id=best.id)
    assert (await recompute_rfm(clock=FrozenClock(NOW))).removed == 1


async def test_lifecycle_stages_flow_and_churn_warning(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    settings = LifecycleSettings(new_days=30, loyal_min_orders=3, at_risk_days=45,
                                 churned_days=180)  # fmt: skip
    prospect = await make_customer(last_active_at=NOW)
    new = await make_customer()
    await record_order(order(new.id, "N1", "50", 5), actor=SYSTEM)
    active = await make_customer(last_active_at=NOW - timedelta(days=3))
    await record_order(order(active.id, "A1", "50", 90), actor=SYSTEM)
    loyal = await make_customer()
    for k in range(3):
        await record_order(order(loyal.id, f"L{k}", "50", 10 + k), actor=SYSTEM)
    fading = await make_customer(last_active_at=NOW - timedelta(days=60))
    await record_order(order(fading.id, "F1", "50", 70), actor=SYSTEM)
    gone = await make_customer()
    await record_order(order(gone.id, "G1", "50", 200), actor=SYSTEM)

    result = await recompute_lifecycle(settings, clock=clock)
    stages = {c.id: c.lifecycle_stage for c in await Customer.all()}
    assert stages == {
        prospect.id: LifecycleStage.PROSPECT, new.id: LifecycleStage.NEW,
        active.id: LifecycleStage.ACTIVE, loyal.id: LifecycleStage.LOYAL,
        fading.id: LifecycleStage.AT_RISK, gone.id: LifecycleStage.CHURNED,
    }  # fmt: skip
    assert result.changed == 5 and result.tagged == 1
    warned = await CustomerTag.filter(tag__name=settings.at_risk_tag).values_list(
        "customer_id", flat=True
    )
    assert warned == [fading.id]

    await Customer.filter(id=fading.id).update(last_active_at=NOW + timedelta(days=1))
    clock.advance(days=2)
    later = await recompute_lifecycle(settings, clock=clock)
    assert later.untagged == 1
    assert (await Customer.get(id=fading.id)).lifecycle_stage == LifecycleStage.ACTIVE
    flows = {(f.from_stage, f.to_stage): f.customers for f in await stage_flow(NOW)}
    assert flows[(LifecycleStage.PROSPECT, LifecycleStage.AT_RISK)] == 1
    assert flows[(LifecycleStage.AT_RISK, LifecycleStage.ACTIVE)] == 1
    assert (await recompute_lifecycle(settings, clock=clock)).changed == 0


async def test_a_quiet_loyal_customer_is_at_risk_and_loses_the_warning_on_churn(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    settings = LifecycleSettings(new_days=30, loyal_min_orders=3, at_risk_days=45,
                                 churned_days=180)  # fmt: skip
    regular = await make_customer()
    for k in range(5):
        await record_order(order(regular.id, f"R{k}", "80", 60 + k), actor=SYSTEM)
    await recompute_lifecycle(settings, clock=clock)
    assert (await Customer.get(id=regular.id)).lifecycle_stage == LifecycleStage.AT_RISK
    warned = CustomerTag.filter(tag__name=settings.at_risk_tag, customer_id=regular.id)
    assert await warned.count() == 1

    clock.advance(days=130)
    result = await recompute_lifecycle(settings, clock=clock)
    assert (await Customer.get(id=regular.id)).lifecycle_stage == LifecycleStage.CHURNED
    assert result.untagged == 1 and await warned.count() == 0
