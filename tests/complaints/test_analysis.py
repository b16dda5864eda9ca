"""Complaint analysis over a period, on tickets worked with an injected clock."""

from __future__ import annotations

from datetime import timedelta

from crm import complaints
from crm.actors import Actor
from crm.clock import FrozenClock
from crm.complaints.config import ComplaintSettings
from tests.complaints.conftest import NOW, MakeCustomer
from tests.complaints.test_domain import LEAD, incoming


async def ticket(make: MakeCustomer, s: ComplaintSettings, clock: FrozenClock, text: str) -> str:
    customer = await make()
    got = await complaints.complain(incoming(customer, text), s, actor=Actor.customer(customer.id),
                                    clock=clock)  # fmt: skip
    return got.ticket.number or ""


async def test_the_period_in_numbers(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    s = complaint_settings
    late = await ticket(make_customer, s, clock, "投诉：快递三天还没到，快递太慢")
    fast = await ticket(make_customer, s, clock, "投诉：快递丢件了")
    broken = await ticket(make_customer, s, clock, "投诉：杯子质量太差，破损")
    clock.advance(hours=1)
    await complaints.acknowledge(fast, actor=LEAD, clock=clock)
    await complaints.resolve(fast, "补发", actor=LEAD, clock=clock)  # 1 h
    clock.advance(hours=2)
    await complaints.acknowledge(broken, actor=LEAD, clock=clock)  # 3 h
    clock.advance(hours=3)
    await complaints.acknowledge(late, actor=LEAD, clock=clock)  # 6 h: past the 4 h deadline
    await complaints.resolve(broken, "退款", actor=LEAD, clock=clock)  # 6 h
    got = await complaints.rate((await complaints.find(fast)).id, 5, actor=LEAD)
    assert got.satisfaction == 5
    await complaints.rate((await complaints.find(broken)).id, 2, actor=LEAD)
    fixed = await complaints.find(broken)
    customer = await fixed.customer
    await complaints.reopen(fixed.id, incoming(customer, "还是不行"), s, actor=LEAD, clock=clock)

    result = await complaints.analyse(NOW - timedelta(days=1), NOW + timedelta(days=1), clock)
    assert result.total == 3
    assert result.by_category == {"物流配送": 2, "商品质量": 1}
    assert sum(result.by_severity.values()) == 3
    hour = 3600.0
    assert result.first_response.count == 3
    assert abs((result.first_response.median_seconds or 0) - 3 * hour) < 1
    assert abs((result.first_response.p90_seconds or 0) - 5.4 * hour) < 1
    assert result.resolution.count == 2
    assert abs((result.resolution.median_seconds or 0) - 3.5 * hour) < 1
    assert result.sla_breach_rate == round(2 / 3, 4)  # late (4 h) and broken (太差: high, 1 h)
    assert result.reopen_rate == 0.5
    assert result.satisfaction_avg == 3.5 and result.satisfaction_share_4_5 == 0.5
    words = dict(result.top_keywords["物流配送"])
    assert words["快递"] == 2
    assert "投诉" not in words
    empty = await complaints.analyse(NOW + timedelta(days=5), NOW + timedelta(days=6), clock)
    assert empty.total == 0 and empty.sla_breach_rate is None and empty.first_response.count == 0
