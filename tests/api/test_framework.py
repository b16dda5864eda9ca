"""The API's frame: auth, the error shape and statuses, request ids, the document, the docs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.api.config import ApiSettings
from bot.app import create_app
from crm import tokens
from crm.actors import Actor
from crm.models import ApiToken, AuditEntry, Role
from tests.api.conftest import Api, assert_error
from tests.conftest import make_settings


async def test_no_token_is_401_in_the_error_shape(api: Api) -> None:
    status, body = await api.call("GET", "/staff", role=None)
    assert status == 401
    assert_error(body, "unauthenticated")


async def test_unknown_token_is_401(api: Api) -> None:
    resp = await api.client.get("/api/v1/staff", headers={"Authorization": "Bearer siyu_nope"})
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(await resp.json(), "unauthenticated")


async def test_a_revoked_token_fails_on_its_next_request(api: Api) -> None:
    assert (await api.call("GET", "/staff", Role.VIEWER))[0] == 200
    token = await ApiToken.get(name="test-viewer")
    await tokens.revoke(token.id)  # as another process (the CLI) would: straight in the database
    status, body = await api.call("GET", "/staff", Role.VIEWER)
    assert status == 401 and "吊销" in body["error"]["message"]


async def test_an_expired_token_is_refused(api: Api) -> None:
    await ApiToken.filter(name="test-viewer").update(expires_at=datetime.now(UTC) - timedelta(1))
    status, body = await api.call("GET", "/staff", Role.VIEWER)
    assert status == 401 and "过期" in body["error"]["message"]


async def test_a_role_changed_in_the_database_holds_at_once(api: Api) -> None:
    assert (await api.call("GET", "/tokens", Role.OPERATOR))[0] == 403
    await ApiToken.filter(name="test-operator").update(role=Role.ADMIN)
    assert (await api.call("GET", "/tokens", Role.OPERATOR))[0] == 200


async def test_last_used_is_recorded(api: Api) -> None:
    await api.ok("GET", "/staff", Role.VIEWER)
    token = await ApiToken.get(name="test-viewer")
    assert token.last_used_at is not None


async def test_the_secret_is_stored_only_hashed(api: Api) -> None:
    secret = api.secrets[Role.ADMIN]
    token = await ApiToken.get(name="test-admin")
    assert token.secret_hash == tokens.hash_secret(secret) and secret not in token.secret_hash
    assert token.prefix == secret[:12]


async def test_unknown_route_is_404_in_the_shape(api: Api) -> None:
    status, body = await api.call("GET", "/nothing-here")
    assert status == 404
    assert_error(body, "not_found")


async def test_wrong_method_is_405_in_the_shape(api: Api) -> None:
    status, body = await api.call("PUT", "/staff")
    assert status == 405
    assert_error(body, "method_not_allowed")


async def test_unknown_json_field_is_rejected_naming_it(api: Api) -> None:
    status, body = await api.call("POST", "/staff", json={"userid": "li", "colour": "red"})
    assert status == 400
    error = assert_error(body, "validation_error")
    assert error["details"][0]["field"] == "body.colour"
    assert not await AuditEntry.exists()


async def test_too_long_is_rejected_not_truncated(api: Api) -> None:
    status, body = await api.call("POST", "/staff", json={"userid": "x" * 65})
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "body.userid"


async def test_bad_json_is_400(api: Api) -> None:
    status, body = await api.call("POST", "/staff", data=b"{not json",
                                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "body"


async def test_bad_path_id_is_400_naming_it(api: Api) -> None:
    status, body = await api.call("GET", "/staff/abc")
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "path.staff_id"


async def test_limit_over_the_cap_is_400(api: Api) -> None:
    status, body = await api.call("GET", "/staff?limit=201")
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "query.limit"


async def test_unknown_query_parameter_is_400(api: Api) -> None:
    status, body = await api.call("GET", "/staff?colour=red")
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "query.colour"


async def test_missing_is_404(api: Api) -> None:
    status, body = await api.call("GET", "/staff/999")
    assert status == 404
    assert_error(body, "not_found")


async def test_a_body_over_the_limit_is_413(api: Api) -> None:
    status, body = await api.call("POST", "/staff", json={"userid": "a", "name": "x" * 70_000})
    assert status == 413
    assert_error(body, "payload_too_large")


async def test_request_id_is_echoed_and_audited(api: Api) -> None:
    resp = await api.client.post("/api/v1/staff", json={"userid": "wang"},
                                 headers={**api.headers(Role.ADMIN), "X-Request-Id": "req-42"})  # fmt: skip
    assert resp.status == 201 and resp.headers["X-Request-Id"] == "req-42"
    entry = await AuditEntry.get(action="staff.create")
    assert entry.request_id == "req-42"


async def test_rate_limit_is_429_with_retry_after(
    aiohttp_client, database_url: str, fake_wechat_url: str
) -> None:  # type: ignore[no-untyped-def]
    slow = ApiSettings(rate_per_second=0.01, rate_burst=2)
    client = await aiohttp_client(
        create_app(make_settings(database_url, fake_wechat_url, api=slow), worker=False)
    )
    issued = await tokens.create_token("burst", Role.VIEWER, actor=Actor.system("test"))
    headers = {"Authorization": f"Bearer {issued.secret}"}
    statuses = [(await client.get("/api/v1/staff", headers=headers)).status for _ in range(2)]
    resp = await client.get("/api/v1/staff", headers=headers)
    assert statuses == [200, 200] and resp.status == 429
    assert int(resp.headers["Retry-After"]) >= 1
    assert_error(await resp.json(), "rate_limited")


async def test_openapi_is_generated_from_the_route_table(api: Api) -> None:
    from bot.api.registry import API

    resp = await api.client.get("/api/openapi.json")
    doc = await resp.json()
    assert doc["openapi"] == "3.1.0"
    for route in API.routes:
        op = doc["paths"]["/api" + route.path][route.method.lower()]
        assert op["operationId"] == route.operation_id and route.action.value in op["description"]
    assert "ErrorResponse" in doc["components"]["schemas"]


async def test_docs_page_is_served_without_a_cdn(api: Api) -> None:
    page = await (await api.client.get("/api/docs")).text()
    assert "http://" not in page and "https://" not in page
    for asset in (
        "/api/docs/assets/swagger-ui-bundle.js",
        "/api/docs/assets/swagger-ui.css",
        "/api/docs/init.js",
    ):
        assert asset in page or asset.endswith("init.js")
        resp = await api.client.get(asset)
        assert resp.status == 200 and len(await resp.read()) > 10


async def test_nul_and_lone_surrogates_are_refused_not_stripped(api: Api) -> None:
    status, body = await api.call("POST", "/staff", data='{"userid": "a\\u0000b"}',
                                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 400 and body["error"]["details"][0]["field"] == "body"
    status, body = await api.call("POST", "/staff", data='{"userid": "a\\ud800"}',
                                  headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 400
    status, body = await api.call("GET", "/customers?q=a%00b", Role.VIEWER)
    assert status == 400 and body["error"]["details"][0]["field"] == "query.q"


async def test_the_configured_page_cap_holds(
    aiohttp_client, database_url: str, fake_wechat_url: str
) -> None:  # type: ignore[no-untyped-def]
    small = ApiSettings(max_page=5, rate_per_second=100, rate_burst=100)
    settings = make_settings(database_url, fake_wechat_url, api=small)
    client = await aiohttp_client(create_app(settings, worker=False))
    issued = await tokens.create_token("cap", Role.VIEWER, actor=Actor.system("test"))
    resp = await client.get(
        "/api/v1/staff?limit=6", headers={"Authorization": f"Bearer {issued.secret}"}
    )
    assert resp.status == 400
    assert (await resp.json())["error"]["details"][0]["field"] == "query.limit"
