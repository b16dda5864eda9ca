"""Customers through the API: search, profile and timeline masked per role (the admin's
unmasked read audited), tags, notes, points through the ledger, merge and unmerge."""

from __future__ import annotations

import pytest

from crm.models import AuditEntry, Customer, CustomerTag, Interaction, PointsEntry, Role, Tag
from tests.api.conftest import Api, assert_error


async def _zhang() -> Customer:
    return await Customer.create(openid="o-zhang", display_name="张三丰", phone="+8613812345678",
                                 city="杭州")  # fmt: skip


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.VIEWER])
async def test_search_is_masked_below_admin(api: Api, role: Role) -> None:
    await _zhang()
    page = await api.ok("GET", "/customers?q=13812345678", role)
    assert [(c["display_name"], c["phone"]) for c in page["items"]] == [("张**", "138****5678")]
    assert not await AuditEntry.exists(action="pii.read")


async def test_admin_sees_unmasked_and_the_read_is_audited(api: Api) -> None:
    zhang = await _zhang()
    resp = await api.client.get("/api/v1/customers?q=张三", headers=api.headers(Role.ADMIN))
    page = await resp.json()
    assert [(c["display_name"], c["phone"]) for c in page["items"]] == [
        ("张三丰", "+8613812345678")
    ]
    entry = await AuditEntry.get(action="pii.read")
    assert entry.resource_id == str(zhang.id) and entry.request_id == resp.headers["X-Request-Id"]


async def test_search_phone_is_exact_not_a_substring(api: Api) -> None:
    await _zhang()
    assert (await api.ok("GET", "/customers?q=12345678", Role.VIEWER))["items"] == []


async def test_profile_masked_for_viewer(api: Api) -> None:
    zhang = await _zhang()
    profile = await api.ok("GET", f"/customers/{zhang.id}", Role.VIEWER)
    assert profile["display_name"] == "张**" and profile["phone"] == "138****5678"
    admin = await api.ok("GET", f"/customers/{zhang.id}")
    assert admin["phone"] == "+8613812345678"
    assert await AuditEntry.filter(action="pii.read", resource_id=str(zhang.id)).count() == 1


async def test_profile_of_unknown_customer_is_404(api: Api) -> None:
    status, body = await api.call("GET", "/customers/4242", Role.VIEWER)
    assert status == 404
    assert_error(body, "not_found")


async def test_timeline_pages_newest_first(api: Api) -> None:
    zhang = await _zhang()
    for i in range(5):
        await Interaction.create(customer=zhang, channel="oa", direction="in", kind="text",
                                 content=f"m{i}", sentiment_label="neg", intent="complaint")  # fmt: skip
    first = await api.ok("GET", f"/customers/{zhang.id}/timeline?limit=3", Role.VIEWER)
    assert [i["content"] for i in first["items"]] == ["m4", "m3", "m2"]
    assert (
        first["items"][0]["sentiment_label"] == "neg" and first["items"][0]["intent"] == "complaint"
    )
    rest = await api.ok(
        "GET", f"/customers/{zhang.id}/timeline?limit=3&cursor={first['next_cursor']}"
    )
    assert [i["content"] for i in rest["items"]] == ["m1", "m0"] and rest["next_cursor"] is None


async def test_tag_and_untag_with_source_staff(api: Api) -> None:
    zhang = await _zhang()
    body = await api.ok("POST", f"/customers/{zhang.id}/tags", Role.OPERATOR, json={"tag": "vip"})
    assert body == {"changed": True, "tags": ["vip"]}
    link = await CustomerTag.get(customer_id=zhang.id)
    assert link.source == "staff"
    again = await api.ok("POST", f"/customers/{zhang.id}/tags", Role.OPERATOR, json={"tag": "vip"})
    assert again["changed"] is False
    tag = await Tag.get(name="vip")
    gone = await api.ok("DELETE", f"/customers/{zhang.id}/tags/{tag.id}", Role.OPERATOR)
    assert gone == {"changed": True, "tags": []}
    actions = [e.action for e in await AuditEntry.all().order_by("id")]
    assert actions == ["customers.tag", "customers.untag"]


async def test_notes_are_added_and_audited(api: Api) -> None:
    zhang = await _zhang()
    note = await api.ok(
        "POST", f"/customers/{zhang.id}/notes", Role.OPERATOR, json={"text": "喜欢绿茶"}
    )
    assert note["text"] == "喜欢绿茶" and note["author"].startswith("api_token:")
    listed = await api.ok("GET", f"/customers/{zhang.id}/notes", Role.VIEWER)
    assert [n["text"] for n in listed["items"]] == ["喜欢绿茶"]
    entry = await AuditEntry.get(action="customers.note")
    assert entry.after["text"] == "喜欢绿茶" and entry.request_id


async def test_points_adjust_through_the_ledger_once_per_reference(api: Api) -> None:
    zhang = await _zhang()
    body = {"amount": 100, "reason": "补发活动积分", "reference": "fix-1"}
    first = await api.ok("POST", f"/customers/{zhang.id}/points", Role.OPERATOR, json=body)
    second = await api.ok("POST", f"/customers/{zhang.id}/points", Role.OPERATOR, json=body)
    assert first["balance"] == 100 and second["entry_id"] == first["entry_id"]
    assert await PointsEntry.filter(customer_id=zhang.id).count() == 1
    assert await AuditEntry.filter(action="points.adjust").count() == 1


async def test_points_need_a_reason_and_a_non_zero_amount(api: Api) -> None:
    zhang = await _zhang()
    status, body = await api.call("POST", f"/customers/{zhang.id}/points", json={"amount": 5})
    assert status == 400 and body["error"]["details"][0]["field"] == "body.reason"
    status, body = await api.call(
        "POST", f"/customers/{zhang.id}/points", json={"amount": 0, "reason": "x"}
    )
    assert status == 400 and "amount" in body["error"]["message"]
    assert not await PointsEntry.exists()


async def test_merge_and_unmerge(api: Api) -> None:
    zhang = await _zhang()
    dup = await Customer.create(openid="o-dup", display_name="张三丰")
    merged = await api.ok(
        "POST", f"/customers/{zhang.id}/merge", Role.OPERATOR, json={"duplicate_id": dup.id}
    )
    assert (await Customer.get(id=dup.id)).merged_into_id == zhang.id  # type: ignore[attr-defined]
    undone = await api.ok("POST", f"/merges/{merged['merge_id']}/unmerge", Role.OPERATOR)
    assert undone["merged_id"] == dup.id
    assert (await Customer.get(id=dup.id)).merged_into_id is None  # type: ignore[attr-defined]
    status, body = await api.call("POST", f"/merges/{merged['merge_id']}/unmerge", Role.OPERATOR)
    assert status == 409
    assert_error(body, "conflict")
    actions = [e.action for e in await AuditEntry.all().order_by("id")]
    assert actions == ["customers.merge", "customers.unmerge"]
