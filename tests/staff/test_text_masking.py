"""/ticket in WeCom masks what the role may not see: the customer's name, and phone or ID
numbers inside the messages, notes and resolution; an admin's unmasked read is audited."""

from __future__ import annotations

from crm import complaints
from crm.actors import Actor
from crm.complaints import classify
from crm.complaints import config as complaint_config
from crm.complaints.intake import Incoming
from crm.models import AuditEntry, Role
from crm.privacy import TEXT_FIELD
from tests.staff.conftest import MakeCustomer, Send

SAID = "我要投诉，快递没到，我的电话 138-1234-5678"


async def _ticket(make_customer: MakeCustomer) -> str:
    customer = await make_customer(display_name="张三丰", phone="+8613812345678")
    incoming = Incoming(customer, SAID, None, classify.Signals(None, True), "Asia/Shanghai")
    got = await complaints.complain(incoming, complaint_config.current(),
                                    actor=Actor.customer(customer.id))  # fmt: skip
    number = got.ticket.number or ""
    await complaints.note(number, "已致电 13812345678", actor=Actor.system("test"))
    return number


async def test_ticket_detail_masked_for_a_viewer(
    members: dict[Role, str], send: Send, make_customer: MakeCustomer
) -> None:
    number = await _ticket(make_customer)
    shown = await send(members[Role.VIEWER], f"/ticket {number}")
    assert "工单" in shown and "张**" in shown and "张三丰" not in shown
    assert "138****5678" in shown
    assert "5678" not in shown.replace("138****5678", "")
    assert not await AuditEntry.exists(action="pii.read")


async def test_ticket_detail_unmasked_and_audited_for_an_admin(
    members: dict[Role, str], send: Send, make_customer: MakeCustomer
) -> None:
    number = await _ticket(make_customer)
    shown = await send(members[Role.ADMIN], f"/ticket {number}")
    assert "张三丰" in shown and "138-1234-5678" in shown and "已致电 13812345678" in shown
    reads = await AuditEntry.filter(action="pii.read", actor="staff:boss").order_by("id")
    assert [r.after["fields"] for r in reads] == [["name"], [TEXT_FIELD]]
