"""Coupon codes: one per pending delivery of a run, unique, recorded, copied to the delivery."""

from __future__ import annotations

import re
from datetime import date

from crm.campaigns.runs import start_run
from crm.clock import FrozenClock
from crm.models import CampaignDelivery, Coupon
from tests.campaigns.outbox_support import NOW, campaign, customer

RUN_DATE = date(2026, 11, 23)


async def _codes(run_id: int) -> dict[int, str | None]:
    rows = await CampaignDelivery.filter(run_id=run_id).values("customer_id", "coupon_code")
    return {r["customer_id"]: r["coupon_code"] for r in rows}


async def test_a_code_per_pending_customer_recorded_and_unique(database_url: str) -> None:
    reachable = [await customer() for _ in range(20)]
    opted = await customer(opted_out=True)
    c = await campaign(options={"coupon": {"prefix": "bd"}})
    run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    codes = await _codes(run.run_id)
    assert codes[opted.id] is None
    issued = [codes[p.id] for p in reachable]
    assert len(set(issued)) == 20
    assert all(code and re.fullmatch(r"BD[0-9A-F]{20}", code) for code in issued)
    stored = {r.customer_id: r.code for r in await Coupon.filter(run_id=run.run_id)}  # type: ignore[attr-defined]
    assert stored == {p.id: codes[p.id] for p in reachable}
    # a second run of another campaign issues other codes; a re-call of this run none
    other = await campaign(options={"coupon": True}, frequency_exempt=True)
    second = await start_run(other.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert not set(issued) & set((await _codes(second.run_id)).values())
    await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert await Coupon.filter(run_id=run.run_id).count() == 20
    assert all(code.startswith("C") for code in (await _codes(second.run_id)).values() if code)


async def test_no_coupon_unless_asked(database_url: str) -> None:
    await customer()
    c = await campaign()
    run = await start_run(c.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert set((await _codes(run.run_id)).values()) == {None}
    assert await Coupon.all().count() == 0
