from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.config import CrmSettings, LifecycleSettings, PointsSettings
from crm.models import Customer, LifecycleStage, RfmScore
from crm.nightly import run_nightly
from crm.orders import OrderInput, record_order
from crm.points import earn
from tests.crm.conftest import NOW, MakeCustomer


async def test_nightly_expires_scores_and_stages(
    make_customer: MakeCustomer, clock: FrozenClock
) -> None:
    c = await make_customer(last_active_at=NOW - timedelta(days=1))
    await record_order(OrderInput(external_id="N1", customer_id=c.id, amount=Decimal("20"),
                                  paid_at=NOW - timedelta(days=3)), actor=SYSTEM)  # fmt: skip
    clock.set(NOW - timedelta(days=400))
    await earn(c.id, 10, "old", clock=clock, actor=SYSTEM)
    clock.set(NOW)
    twin = await make_customer(phone="138 0000 0009", last_active_at=NOW)
    await make_customer(phone="+8613800000009")
    broken = await make_customer(phone="12345")
    report = await run_nightly(
        CrmSettings(points=PointsSettings(validity_days=365)), clock=clock, actor=SYSTEM
    )
    assert report.phones.normalized == 1 and report.phones.invalid == (broken.id,)
    assert report.merged == 1
    assert (await Customer.get(id=twin.id)).phone == "+8613800000009"
    assert report.points_expired == 1 and report.rfm.scored == 1 and report.lifecycle.changed == 1
    fresh = await Customer.get(id=c.id)
    assert fresh.points_balance == 0 and fresh.lifecycle_stage == LifecycleStage.NEW
    assert await RfmScore.exists(customer_id=c.id)
    again = await run_nightly(clock=clock, actor=SYSTEM)
    assert (again.merged, again.points_expired, again.rfm.changed) == (0, 0, 0)
    assert again.lifecycle.changed == 0


def test_lifecycle_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        LifecycleSettings(at_risk_days=200, churned_days=100)
