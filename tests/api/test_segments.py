"""Segments through the API: CRUD with audit rows, rule errors naming the path, count,
masked preview, streamed CSV export (admin, audited), snapshot."""

from __future__ import annotations

import pytest

from crm.models import AuditEntry, Customer, Role, Segment
from tests.api.conftest import Api, assert_error

HANGZHOU = {"field": "city", "op": "eq", "value": "杭州"}


async def _customers() -> None:
    await Customer.create(openid="o1", display_name="张三丰", phone="+8613812345678", city="杭州")
    await Customer.create(openid="o2", display_name="李四", phone="13900001111", city="杭州")
    await Customer.create(openid="o3", display_name="王五", city="上海")


async def test_create_count_update_delete_with_audit(api: Api) -> None:
    await _customers()
    created = await api.ok(
        "POST", "/segments", Role.OPERATOR, json={"name": "杭州", "rule": HANGZHOU}
    )
    sid = created["id"]
    assert (await api.ok("GET", f"/segments/{sid}/count", Role.VIEWER)) == {"count": 2}
    entry = await AuditEntry.get(action="segments.create")
    assert entry.resource_id == str(sid) and entry.after["rule"] == HANGZHOU
    assert entry.actor.startswith("api_token:")
    shanghai = {"field": "city", "op": "eq", "value": "上海"}
    await api.ok("PATCH", f"/segments/{sid}", Role.OPERATOR, json={"rule": shanghai})
    update = await AuditEntry.get(action="segments.update")
    assert update.before == {"rule": HANGZHOU} and update.after == {"rule": shanghai}
    assert (await api.ok("GET", f"/segments/{sid}/count")) == {"count": 1}
    status, _ = await api.call("DELETE", f"/segments/{sid}", Role.OPERATOR)
    assert status == 204 and not await Segment.exists(id=sid)
    assert (await AuditEntry.get(action="segments.delete")).before["name"] == "杭州"


async def test_a_bad_rule_names_its_path(api: Api) -> None:
    rule = {"all": [HANGZHOU, {"field": "points_balance", "op": "gt", "value": "many"}]}
    status, body = await api.call("POST", "/segments", json={"name": "x", "rule": rule})
    assert status == 400
    error = assert_error(body, "invalid_input")
    assert error["details"][0]["field"].startswith("rule.all[1]")
    assert not await Segment.exists() and not await AuditEntry.exists()


async def test_validate_counts_a_rule_for_a_viewer(api: Api) -> None:
    await _customers()
    body = await api.ok("POST", "/segments/validate", Role.VIEWER, json={"rule": HANGZHOU})
    assert body == {"valid": True, "count": 2}
    status, body = await api.call("POST", "/segments/validate", Role.VIEWER,
                                  json={"rule": {"field": "city", "op": "nope"}})  # fmt: skip
    assert status == 400 and body["error"]["details"]


async def test_duplicate_name_is_409(api: Api) -> None:
    await api.ok("POST", "/segments", json={"name": "a", "rule": HANGZHOU})
    status, body = await api.call("POST", "/segments", json={"name": "a", "rule": HANGZHOU})
    assert status == 409
    assert_error(body, "conflict")


async def test_preview_is_masked_for_every_role(api: Api) -> None:
    await _customers()
    sid = (await api.ok("POST", "/segments", json={"name": "hz", "rule": HANGZHOU}))["id"]
    for role in (Role.ADMIN, Role.VIEWER):
        rows = (await api.ok("GET", f"/segments/{sid}/preview?limit=5", role))["items"]
        assert [r["phone"] for r in rows] == ["138****5678", "139****1111"]
        assert [r["display_name"] for r in rows] == ["张**", "李*"]


async def test_export_streams_csv_unmasked_for_admin_and_is_audited(api: Api) -> None:
    await _customers()
    sid = (await api.ok("POST", "/segments", json={"name": "hz", "rule": HANGZHOU}))["id"]
    resp = await api.client.get(f"/api/v1/segments/{sid}/export", headers=api.headers(Role.ADMIN))
    assert resp.status == 200 and resp.content_type == "text/csv"
    text = (await resp.read()).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("id,display_name,phone") and len(lines) == 3
    assert "张三丰" in text and "+8613812345678" in text
    entry = await AuditEntry.get(action="pii.export")
    assert entry.resource_id == str(sid) and entry.request_id == resp.headers["X-Request-Id"]
    masked = await api.client.get(
        f"/api/v1/segments/{sid}/export?masked=true", headers=api.headers(Role.ADMIN)
    )
    assert "张**" in (await masked.read()).decode("utf-8-sig")


async def test_export_is_admin_only(api: Api) -> None:
    sid = (await api.ok("POST", "/segments", json={"name": "hz", "rule": HANGZHOU}))["id"]
    status, body = await api.call("GET", f"/segments/{sid}/export", Role.OPERATOR)
    assert status == 403
    assert_error(body, "forbidden")


async def test_snapshot_freezes_members(api: Api) -> None:
    await _customers()
    sid = (await api.ok("POST", "/segments", json={"name": "hz", "rule": HANGZHOU}))["id"]
    body = await api.ok("POST", f"/segments/{sid}/snapshot", Role.OPERATOR)
    assert body["kind"] == "static" and body["member_count"] == 2
    await Customer.create(openid="o4", city="杭州")
    assert (await api.ok("GET", f"/segments/{sid}/count")) == {"count": 2}
    entry = await AuditEntry.get(action="segments.snapshot")
    assert entry.after["member_count"] == 2


async def test_list_filters_and_pages(api: Api) -> None:
    for i in range(3):
        await api.ok("POST", "/segments", json={"name": f"s{i}", "rule": HANGZHOU})
    page = await api.ok("GET", "/segments?limit=2&sort=-name", Role.VIEWER)
    assert [s["name"] for s in page["items"]] == ["s2", "s1"] and page["next_cursor"]
    rest = await api.ok("GET", f"/segments?limit=2&sort=-name&cursor={page['next_cursor']}")
    assert [s["name"] for s in rest["items"]] == ["s0"] and rest["next_cursor"] is None
    assert (await api.ok("GET", "/segments?kind=static"))["items"] == []


async def test_an_export_past_its_deadline_is_cut_off_not_completed(
    aiohttp_client, database_url: str, fake_wechat_url: str
) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    from bot.api.config import ApiSettings
    from bot.app import create_app
    from crm import tokens
    from crm.actors import Actor
    from tests.conftest import make_settings

    hasty = ApiSettings(export_seconds=1e-9, rate_per_second=100, rate_burst=100)
    client = await aiohttp_client(
        create_app(make_settings(database_url, fake_wechat_url, api=hasty), worker=False)
    )
    issued = await tokens.create_token("exporter", Role.ADMIN, actor=Actor.system("test"))
    headers = {"Authorization": f"Bearer {issued.secret}"}
    await _customers()
    segment = await Segment.create(name="hz", rule=HANGZHOU)
    resp = await client.get(f"/api/v1/segments/{segment.id}/export", headers=headers)
    assert resp.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        await resp.read()
