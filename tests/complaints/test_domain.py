"""The ticket domain without the chat: numbers unique under concurrency and across processes,
classification, the workflow's allowed moves, history and audit with every change."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

import pytest

from crm import complaints
from crm.actors import Actor
from crm.clock import FrozenClock
from crm.complaints import classify, numbers
from crm.complaints.config import ComplaintSettings
from crm.complaints.intake import Incoming
from crm.errors import ComplaintNotFound, ComplaintStateError, InvalidComplaintInput
from crm.models import (
    AuditEntry,
    Complaint,
    ComplaintHistory,
    ComplaintNotification,
    ComplaintSeverity,
    ComplaintStatus,
    Role,
)
from tests.complaints.conftest import MakeCustomer

LEAD = Actor.staff("lead", Role.OPERATOR, "组长")
TZ = "Asia/Shanghai"


def incoming(customer, text, key=None, **signals):  # type: ignore[no-untyped-def]
    return Incoming(customer, text, key, classify.Signals(**signals), TZ, ("boss",))


async def open_one(make: MakeCustomer, settings: ComplaintSettings, clock: FrozenClock,
                   text: str = "我要投诉，快递三天还没到") -> Complaint:  # fmt: skip
    customer = await make()
    actor = Actor.customer(customer.id)
    intake = await complaints.complain(incoming(customer, text), settings, actor=actor, clock=clock)
    return intake.ticket


async def test_numbers_are_daily_and_unique_under_concurrency(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    tickets = await asyncio.gather(
        *(open_one(make_customer, complaint_settings, clock) for _ in range(12))
    )
    got = sorted(t.number or "" for t in tickets)
    assert got == [f"C20261201-{n:04d}" for n in range(1, 13)]
    clock.advance(days=1)
    assert (await open_one(make_customer, complaint_settings, clock)).number == "C20261202-0001"


async def test_the_local_date_names_the_day(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    clock.set(clock.now().replace(hour=17))  # 01:00 next day in Shanghai
    assert (await open_one(make_customer, complaint_settings, clock)).number == "C20261202-0001"


async def test_numbers_are_unique_across_processes(database_url: str) -> None:
    from tortoise import connections

    if database_url.startswith("sqlite"):
        await connections.get("default").execute_script("PRAGMA journal_mode=WAL")
        url = database_url + "?busy_timeout=10000"
    else:
        url = database_url
    command = [sys.executable, "-m", "tests.complaints.number_worker", url, "15"]
    workers = [
        await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [(await w.communicate())[0].decode().split() for w in workers]
    assert all(w.returncode == 0 for w in workers)
    taken = [n for out in outputs for n in out]
    assert sorted(taken) == [f"C20261201-{n:04d}" for n in range(1, 46)]


def test_typed_numbers_with_or_without_prefix() -> None:
    for typed in ("C20261201-0007", "c20261201-0007", "20261201-0007", "202612010007"):
        assert numbers.normalise(typed) == "C20261201-0007"
    assert numbers.normalise("7") is None and numbers.normalise("C2026-7") is None


def test_category_and_severity(complaint_settings: ComplaintSettings) -> None:
    s, signals = complaint_settings, classify.Signals(0.3, True)
    assert classify.category("快递三天还没到", s) == "物流配送"
    assert classify.category("衣服质量太差", s) == "商品质量"
    assert classify.category("我想说点别的", s) == "其他"
    assert classify.severity("再不处理我就打12315", signals, s) is ComplaintSeverity.URGENT
    assert classify.severity("我要找律师", classify.Signals(), s) is ComplaintSeverity.URGENT
    assert (
        classify.severity("东西一般", classify.Signals(0.0005, True), s) is ComplaintSeverity.HIGH
    )
    assert classify.severity("快递慢", signals, s) is ComplaintSeverity.NORMAL
    assert classify.severity("快递慢", classify.Signals(0.0005, False), s) is ComplaintSeverity.LOW


async def test_a_new_ticket_has_deadlines_history_audit_and_a_queued_notice(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    ticket = await open_one(make_customer, complaint_settings, clock, "投诉：快递丢件了")
    assert ticket.status is ComplaintStatus.OPEN and ticket.category == "物流配送"
    assert ticket.first_response_due == clock.now() + timedelta(hours=4)
    [opened] = await ComplaintHistory.filter(complaint_id=ticket.id)
    assert opened.action == "opened" and opened.to_status == "open"
    assert await AuditEntry.filter(action="complaint.opened", resource_id=ticket.number).count()
    [notice] = await ComplaintNotification.filter(complaint_id=ticket.id)
    assert notice.recipient == "boss" and ticket.number in notice.text
    assert "139****0001" in notice.text and "客户1" in notice.text


async def test_a_second_message_joins_the_open_ticket_once_per_wechat_message(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    customer = await make_customer()
    actor = Actor.customer(customer.id)
    first = await complaints.complain(incoming(customer, "投诉", "m1"), complaint_settings,
                                      actor=actor, clock=clock)  # fmt: skip
    more = incoming(customer, "我要去12315", "m2")
    second = await complaints.complain(more, complaint_settings, actor=actor, clock=clock)
    again = await complaints.complain(more, complaint_settings, actor=actor, clock=clock)
    assert not second.created and second.ticket.id == first.ticket.id and second.recorded
    assert not again.recorded
    ticket = await Complaint.get(id=first.ticket.id)
    assert ticket.severity is ComplaintSeverity.URGENT
    assert ticket.first_response_due == ticket.created_at + timedelta(hours=0.5)
    assert await ComplaintHistory.filter(complaint_id=ticket.id, action="message").count() == 1


async def test_the_workflow_moves_and_refuses(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    ticket = await open_one(make_customer, complaint_settings, clock)
    number = (ticket.number or "").removeprefix("C")  # typed without the prefix
    closed = await complaints.close(number, actor=LEAD, clock=clock)
    assert closed.status is ComplaintStatus.CLOSED
    with pytest.raises(ComplaintStateError):
        await complaints.close(number, actor=LEAD, clock=clock)
    ticket = await open_one(make_customer, complaint_settings, clock)
    n = ticket.number or ""
    clock.advance(minutes=10)
    acked = await complaints.acknowledge(n, actor=LEAD, clock=clock)
    assert acked.status is ComplaintStatus.ACKNOWLEDGED and acked.assignee == "lead"
    assert acked.first_response_at == clock.now()
    with pytest.raises(ComplaintStateError):
        await complaints.acknowledge(n, actor=LEAD, clock=clock)
    await complaints.assign(n, "wangwu", actor=LEAD, clock=clock)
    await complaints.recategorise(n, "服务态度", complaint_settings, actor=LEAD, clock=clock)
    with pytest.raises(InvalidComplaintInput):
        await complaints.recategorise(n, "天气", complaint_settings, actor=LEAD, clock=clock)
    done = await complaints.resolve(n, "已补发", actor=LEAD, clock=clock)
    assert done.status is ComplaintStatus.RESOLVED and done.resolution == "已补发"
    with pytest.raises(ComplaintNotFound):
        await complaints.acknowledge("C20991231-0001", actor=LEAD)
    actions = await ComplaintHistory.filter(complaint_id=ticket.id).order_by("id")
    assert [h.action for h in actions] == ["opened", "ack", "assign", "category", "resolve"]
    assert [(h.from_status, h.to_status) for h in actions][-1] == ("acknowledged", "resolved")
    assert all(h.actor == "staff:lead" for h in actions[1:])
    audit = await AuditEntry.filter(resource="complaint", resource_id=n).order_by("id")
    assert [a.action for a in audit][-1] == "complaint.resolve"
    assert audit[-1].after == {"status": "resolved", "resolution": "已补发",
                               "resolved_at": clock.now().isoformat(), "note": "已补发"}  # fmt: skip


async def test_reopen_within_the_window_and_the_rating(
    make_customer: MakeCustomer, complaint_settings: ComplaintSettings, clock: FrozenClock
) -> None:
    from crm.complaints import intake

    ticket = await open_one(make_customer, complaint_settings, clock)
    n, customer_id = ticket.number or "", ticket.customer_id  # type: ignore[attr-defined]
    await complaints.resolve(n, "已退款", actor=LEAD, clock=clock)
    clock.advance(days=6)
    found = await intake.reopenable(customer_id, complaint_settings, clock)
    assert found is not None and found.id == ticket.id
    clock.advance(days=2)
    assert await intake.reopenable(customer_id, complaint_settings, clock) is None
    clock.advance(days=-2)
    customer = await ticket.customer
    back = await complaints.reopen(ticket.id, incoming(customer, "没解决", "r1"),
                                   complaint_settings, actor=Actor.customer(customer_id),
                                   clock=clock)  # fmt: skip
    assert back.ticket.status is ComplaintStatus.REOPENED and back.ticket.reopen_count == 1
    assert back.queued  # staff told again
    with pytest.raises(InvalidComplaintInput):
        await complaints.rate(ticket.id, 6, actor=Actor.customer(customer_id))
    rated = await complaints.rate(ticket.id, 4, actor=Actor.customer(customer_id))
    assert rated.satisfaction == 4
    assert (await complaints.rate(ticket.id, 1, actor=LEAD)).satisfaction == 4
