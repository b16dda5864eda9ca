"""Tokens, staff and the audit log through the API: happy paths, audit rows, pagination."""

from __future__ import annotations

from crm.models import ApiToken, AuditEntry, Role, Staff
from tests.api.conftest import Api, assert_error


async def test_create_token_shows_the_secret_once_and_it_works(api: Api) -> None:
    body = await api.ok(
        "POST", "/tokens", json={"name": "bi", "role": "viewer", "expires_days": 30}
    )
    secret, token_id = body["secret"], body["token"]["id"]
    assert secret.startswith("siyu_") and body["token"]["expires_at"]
    listed = await api.ok("GET", "/tokens")
    assert all("secret" not in t and secret not in str(t) for t in listed["items"])
    resp = await api.client.get("/api/v1/staff", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status == 200
    entry = await AuditEntry.get(action="tokens.create")
    assert entry.resource_id == str(token_id) and entry.actor.startswith("api_token:")
    assert secret not in str(entry.after)


async def test_duplicate_token_name_is_409(api: Api) -> None:
    status, body = await api.call("POST", "/tokens", json={"name": "test-viewer", "role": "viewer"})
    assert status == 409
    assert_error(body, "conflict")


async def test_revoke_token_through_the_api(api: Api) -> None:
    viewer = await ApiToken.get(name="test-viewer")
    body = await api.ok("DELETE", f"/tokens/{viewer.id}")
    assert body["revoked_at"] is not None
    assert (await api.call("GET", "/staff", Role.VIEWER))[0] == 401
    entry = await AuditEntry.get(action="tokens.revoke")
    assert entry.before == {"revoked_at": None} and entry.after["revoked_at"]


async def test_staff_create_update_and_audit(api: Api) -> None:
    created = await api.ok("POST", "/staff", json={"userid": "zhangsan", "name": "张三"})
    assert created["role"] == "viewer"
    updated = await api.ok("PATCH", f"/staff/{created['id']}", json={"role": "operator"})
    assert (
        updated["role"] == "operator" and (await Staff.get(userid="zhangsan")).role is Role.OPERATOR
    )
    entry = await AuditEntry.get(action="staff.update")
    assert entry.before == {"role": "viewer"} and entry.after == {"role": "operator"}
    status, _ = await api.call("POST", "/staff", json={"userid": "zhangsan"})
    assert status == 409


async def test_staff_pagination_walks_every_row_once(api: Api) -> None:
    for i in range(7):
        await Staff.create(userid=f"u{i}", role=Role.VIEWER)
    seen, cursor = [], None
    while True:
        query = "?limit=3&sort=-userid" + (f"&cursor={cursor}" if cursor else "")
        page = await api.ok("GET", "/staff" + query, Role.VIEWER)
        seen += [s["userid"] for s in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [f"u{i}" for i in reversed(range(7))]


async def test_a_forged_cursor_is_400(api: Api) -> None:
    status, body = await api.call("GET", "/staff?cursor=bm9wZQ")
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "query.cursor"


async def test_audit_log_filters(api: Api) -> None:
    await api.ok("POST", "/staff", json={"userid": "a"})
    await api.ok("POST", "/tokens", json={"name": "t", "role": "viewer"})
    page = await api.ok("GET", "/audit?resource=staff")
    assert [e["action"] for e in page["items"]] == ["staff.create"]
    page = await api.ok("GET", "/audit?action=tokens.create&sort=id")
    assert len(page["items"]) == 1 and page["items"][0]["resource"] == "api_token"
    assert (await api.ok("GET", "/audit?since=2999-01-01T00:00:00Z"))["items"] == []
    status, body = await api.call("GET", "/audit?since=2020-01-01T00:00:00")  # no offset
    assert status == 400 and body["error"]["details"][0]["field"] == "query.since"
