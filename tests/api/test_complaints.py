"""Complaints through the API: list with filters and pagination, detail with history, the
staff actions through crm.complaints (one audit row each, with the request id), masking per
role, validation naming the field, the analysis."""

from __future__ import annotations

from datetime import timedelta

from bot.wechat.fake import FakeWeChat
from crm import complaints
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK
from crm.complaints import classify
from crm.complaints import config as complaint_config
from crm.complaints.intake import Incoming
from crm.models import AuditEntry, Complaint, Customer, Interaction, Role
from tests.api.conftest import Api, assert_error


async def _ticket(openid: str, text: str = "我要投诉，快递三天还没到，订单 12345678") -> Complaint:
    customer = await Customer.create(openid=openid, display_name="张三丰",
                                     phone="+8613812345678", subscribed=True)  # fmt: skip
    incoming = Incoming(customer, text, None, classify.Signals(None, True), "Asia/Shanghai")
    got = await complaints.complain(incoming, complaint_config.current(),
                                    actor=Actor.customer(customer.id))  # fmt: skip
    return got.ticket


async def test_actions_go_through_the_services_and_audit_once_each(api: Api) -> None:
    t = await _ticket("o1")
    base = f"/complaints/{t.id}"
    await AuditEntry.all().delete()
    headers = {"X-Request-Id": "req-ack"}
    acked = await api.ok("POST", base + "/acknowledge", Role.OPERATOR, headers=headers)
    assert acked["status"] == "acknowledged" and acked["assignee"]
    await api.ok("POST", base + "/assign", Role.OPERATOR, json={"assignee": "lisi"})
    await api.ok("POST", base + "/notes", Role.OPERATOR, json={"text": "已联系快递"})
    await api.ok("POST", base + "/category", Role.OPERATOR, json={"category": "商品质量"})
    done = await api.ok("POST", base + "/resolve", Role.OPERATOR, json={"resolution": "已补发"})
    assert done["status"] == "resolved" and done["resolution"] == "已补发"
    assert done["customer_told"].startswith("客户 48 小时内没有发消息")  # as /resolve says
    assert (await api.ok("POST", base + "/close", Role.OPERATOR))["status"] == "closed"
    rows = await AuditEntry.all().order_by("id")
    assert [r.action for r in rows] == [
        "complaint.ack", "complaint.assign", "complaint.note", "complaint.category",
        "complaint.resolve", "complaint.notify", "complaint.close",
    ]  # fmt: skip
    assert rows[0].request_id == "req-ack" and all(r.request_id for r in rows)
    assert rows[1].after["assignee"] == "lisi"
    detail = await api.ok("GET", base, Role.VIEWER)
    assert [h["action"] for h in detail["history"]][-7:] == [
        "ack", "assign", "note", "category", "resolve", "notify", "close",
    ]  # fmt: skip
    assert detail["messages"][0]["text"].startswith("我要投诉")


async def test_resolving_tells_the_customer_inside_the_window(
    api: Api, fake_wechat: FakeWeChat
) -> None:
    t = await _ticket("o1")
    await Interaction.create(customer_id=t.customer_id, channel="oa", direction="in",  # type: ignore[attr-defined]
                             kind="text", content="在吗")  # fmt: skip
    done = await api.ok("POST", f"/complaints/{t.id}/resolve", json={"resolution": "已补发"})
    assert done["customer_told"] == "处理结果和满意度问题已发送给客户。"
    pushed = fake_wechat.sent_texts("o1")
    assert pushed[0].endswith("处理结果：已补发") and "1–5" in pushed[1]
    assert (await Complaint.get(id=t.id)).satisfaction_asked_at is not None


async def test_a_closed_ticket_cannot_be_resolved(api: Api) -> None:
    t = await _ticket("o1")
    await api.ok("POST", f"/complaints/{t.id}/close")
    status, body = await api.call("POST", f"/complaints/{t.id}/resolve", json={"resolution": "x"})
    assert status == 409
    assert_error(body, "conflict")
    status, body = await api.call("POST", "/complaints/999/close")
    assert status == 404


async def test_validation_names_the_field(api: Api) -> None:
    t = await _ticket("o1")
    status, body = await api.call("POST", f"/complaints/{t.id}/assign", json={"assignee": ""})
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "body.assignee"
    status, body = await api.call("POST", f"/complaints/{t.id}/category", json={"category": "x"})
    assert status == 400 and body["error"]["details"][0]["field"] == "body.category"
    assert not await AuditEntry.filter(action__startswith="complaint.category").exists()
    status, body = await api.call("GET", "/complaints?severity=huge")
    assert status == 400 and body["error"]["details"][0]["field"] == "query.severity"


async def test_masked_for_operator_unmasked_and_audited_for_admin(api: Api) -> None:
    t = await _ticket("o1")
    masked = await api.ok("GET", "/complaints", Role.OPERATOR)
    assert masked["items"][0]["customer"] == {"id": t.customer_id, "display_name": "张**",  # type: ignore[attr-defined]
                                              "phone": "138****5678"}  # fmt: skip
    assert not await AuditEntry.filter(action="pii.read").exists()
    plain = await api.ok("GET", f"/complaints/{t.id}", Role.ADMIN)
    assert plain["customer"]["phone"] == "+8613812345678"
    read = await AuditEntry.get(action="pii.read")
    assert read.resource_id == str(t.customer_id)  # type: ignore[attr-defined]


async def test_filters_and_pagination(api: Api) -> None:
    first, second, third = [await _ticket(f"o{i}") for i in range(3)]
    await complaints.close(second.number or "", actor=Actor.system("test"))
    page = await api.ok("GET", "/complaints?limit=2&sort=id")
    assert [i["id"] for i in page["items"]] == [first.id, second.id]
    rest = await api.ok("GET", f"/complaints?limit=2&sort=id&cursor={page['next_cursor']}")
    assert [i["id"] for i in rest["items"]] == [third.id] and rest["next_cursor"] is None
    closed = await api.ok("GET", "/complaints?status=closed")
    assert [i["id"] for i in closed["items"]] == [second.id]
    await Complaint.filter(id=third.id).update(
        first_response_due=SYSTEM_CLOCK.now() - timedelta(minutes=1)
    )
    late = await api.ok("GET", "/complaints?sla_breached=true")
    assert [i["id"] for i in late["items"]] == [third.id] and late["items"][0]["sla_breached"]
    on_time = await api.ok("GET", "/complaints?sla_breached=false&sort=id")
    assert [i["id"] for i in on_time["items"]] == [first.id, second.id]
    await api.ok("POST", f"/complaints/{first.id}/assign", json={"assignee": "lisi"})
    mine = await api.ok("GET", "/complaints?assignee=lisi")
    assert [i["id"] for i in mine["items"]] == [first.id]


async def test_analysis_over_a_period(api: Api) -> None:
    await _ticket("o1")
    now = SYSTEM_CLOCK.now()
    start, end = (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()
    found = await api.ok("GET", "/complaints/analysis", Role.VIEWER,
                         params={"start": start, "end": end})  # fmt: skip
    assert found["total"] == 1 and found["by_category"] == {"物流配送": 1}
    status, body = await api.call(
        "GET", "/complaints/analysis", params={"start": end, "end": start}
    )
    assert status == 400
    assert_error(body, "validation_error")


async def test_open_and_customer_filters(api: Api) -> None:
    """The console's inbox asks for the open tickets and a profile for one customer's: both
    in SQL, so neither misses tickets past the first page of all tickets."""
    first, second, third = [await _ticket(f"o{i}") for i in range(3)]
    await complaints.close(second.number or "", actor=Actor.system("test"))
    still = await api.ok("GET", "/complaints?open=true&sort=id")
    assert [i["id"] for i in still["items"]] == [first.id, third.id]
    done = await api.ok("GET", "/complaints?open=false")
    assert [i["id"] for i in done["items"]] == [second.id]
    theirs = await api.ok("GET", f"/complaints?customer_id={third.customer_id}")  # type: ignore[attr-defined]
    assert [i["id"] for i in theirs["items"]] == [third.id]
    status, body = await api.call("GET", "/complaints?customer_id=0")
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "query.customer_id"
