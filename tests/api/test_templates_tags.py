"""Templates (CRUD, sandboxed preview per customer, masked by role), tags and keyword rules."""

from __future__ import annotations

import nlp
from crm.models import AuditEntry, Customer, CustomerTag, KeywordRule, Role, Tag
from tests.api.conftest import Api, assert_error


async def test_template_crud_audited(api: Api) -> None:
    body = {"name": "问候", "body": "{{ customer.display_name }}，您好"}
    created = await api.ok("POST", "/templates", Role.OPERATOR, json=body)
    tid = created["id"]
    await api.ok("PUT", f"/templates/{tid}", Role.OPERATOR, json={**body, "body": "您好"})
    assert (await api.ok("GET", f"/templates/{tid}", Role.VIEWER))["body"] == "您好"
    update = await AuditEntry.get(action="templates.update")
    assert update.after == {"body": "您好"}
    assert (await api.call("DELETE", f"/templates/{tid}", Role.OPERATOR))[0] == 204
    assert [e.action for e in await AuditEntry.all().order_by("id")] == [
        "templates.create", "templates.update", "templates.delete"]  # fmt: skip


async def test_a_template_that_does_not_compile_is_400(api: Api) -> None:
    status, body = await api.call("POST", "/templates", json={"name": "x", "body": "{{ oops"})
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "body.body"


async def test_preview_renders_masked_for_a_viewer_and_audits_the_admin(api: Api) -> None:
    customer = await Customer.create(openid="o1", display_name="张三丰")
    tid = (
        await api.ok(
            "POST", "/templates", json={"name": "g", "body": "{{ customer.display_name }}，您好"}
        )
    )["id"]
    viewer = await api.ok(
        "POST", f"/templates/{tid}/preview", Role.VIEWER, json={"customer_id": customer.id}
    )
    assert viewer == {"ok": True, "text": "张**，您好", "error": None, "masked": True}
    assert not await AuditEntry.exists(action="pii.read")
    admin = await api.ok("POST", f"/templates/{tid}/preview", json={"customer_id": customer.id})
    assert admin["text"] == "张三丰，您好" and not admin["masked"]
    entry = await AuditEntry.get(action="pii.read")
    assert entry.resource_id == str(customer.id)


async def test_preview_shows_render_errors_and_sends_nothing(api: Api) -> None:
    customer = await Customer.create(openid="o1")
    tid = (await api.ok("POST", "/templates", json={"name": "g", "body": "{{ customer.nope }}"}))[
        "id"
    ]
    body = await api.ok("POST", f"/templates/{tid}/preview", json={"customer_id": customer.id})
    assert body["ok"] is False and body["error"] == "template_undefined:nope"
    status, body = await api.call("POST", f"/templates/{tid}/preview", json={"customer_id": 999})
    assert status == 404


async def test_preview_cannot_reach_outside_the_sandbox(api: Api) -> None:
    customer = await Customer.create(openid="o1")
    source = "{{ customer.__class__.__mro__ }}"
    tid = (await api.ok("POST", "/templates", json={"name": "g", "body": source}))["id"]
    body = await api.ok("POST", f"/templates/{tid}/preview", json={"customer_id": customer.id})
    assert body["ok"] is False and body["error"] in (
        "template_unsafe",
        "template_undefined:__class__",
    )


async def test_tags_create_list_delete(api: Api) -> None:
    created = await api.ok("POST", "/tags", Role.OPERATOR, json={"name": "vip"})
    await api.ok("POST", "/tags", Role.OPERATOR, json={"name": "vvip"})
    customer = await Customer.create(openid="o1")
    await CustomerTag.create(customer=customer, tag_id=created["id"], source="staff")
    page = await api.ok("GET", "/tags?prefix=vi", Role.VIEWER)
    assert [t["name"] for t in page["items"]] == ["vip"]
    status, body = await api.call("POST", "/tags", Role.OPERATOR, json={"name": "vip"})
    assert status == 409
    status, body = await api.call("POST", "/tags", json={"name": " vip"})
    assert status == 400 and body["error"]["details"][0]["field"] == "body.name"
    assert (await api.call("DELETE", f"/tags/{created['id']}", Role.OPERATOR))[0] == 204
    assert not await Tag.exists(name="vip") and not await CustomerTag.exists()
    assert (await AuditEntry.get(action="tags.delete")).before == {"name": "vip"}
    assert await AuditEntry.filter(action="tags.create").count() == 2


async def test_keyword_rules_reach_the_automaton(api: Api) -> None:
    rule = await api.ok(
        "POST", "/keyword-rules", Role.OPERATOR, json={"keyword": "蓝莓奶昔", "tag": "奶昔迷"}
    )
    assert "奶昔迷" in {hit.tag for hit in nlp.analyze("想喝蓝莓奶昔").tags}
    await api.ok("PATCH", f"/keyword-rules/{rule['id']}", Role.OPERATOR, json={"enabled": False})
    assert "奶昔迷" not in {hit.tag for hit in nlp.analyze("想喝蓝莓奶昔").tags}
    assert not (await KeywordRule.get(id=rule["id"])).enabled
    page = await api.ok("GET", "/keyword-rules?enabled=false", Role.VIEWER)
    assert [r["keyword"] for r in page["items"]] == ["蓝莓奶昔"]
    assert (await api.call("DELETE", f"/keyword-rules/{rule['id']}", Role.OPERATOR))[0] == 204
    actions = [e.action for e in await AuditEntry.all().order_by("id")]
    assert actions == ["keyword_rules.create", "keyword_rules.update", "keyword_rules.delete"]
