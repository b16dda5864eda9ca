"""Every write endpoint refuses every role the permission table does not allow, with 403 in
the error shape and nothing written. Parametrized from the route table: a new write endpoint is
covered without a new test."""

from __future__ import annotations

import re

import pytest

from bot.api import app as _app  # noqa: F401  (registers every endpoint)
from bot.api.registry import API, Route
from crm.models import AuditEntry, Role
from crm.permissions import allowed
from tests.api.conftest import ROLES, Api, assert_error

DENIED = [
    pytest.param(route, role, id=f"{route.method} {route.path} as {role.value}")
    for route in API.routes
    for role in ROLES
    if not allowed(role, route.action) and (route.is_write or route.action.value.endswith("manage"))
]


def test_every_write_endpoint_is_denied_to_someone() -> None:
    writes = [r for r in API.routes if r.is_write]
    assert writes and all(any(not allowed(role, r.action) for role in ROLES) for r in writes)


@pytest.mark.parametrize(("route", "role"), DENIED)
async def test_denied(api: Api, route: Route, role: Role) -> None:
    path = re.sub(r"\{[a-z_]+\}", "1", route.path).removeprefix("/v1")
    status, body = await api.call(route.method, path, role, json={})
    assert status == 403, body
    assert_error(body, "forbidden")
    assert not await AuditEntry.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.VIEWER])
async def test_audit_log_is_admin_only(api: Api, role: Role) -> None:
    status, body = await api.call("GET", "/audit", role)
    assert status == 403
    assert_error(body, "forbidden")


def test_no_endpoint_edits_or_deletes_the_audit_log() -> None:
    assert [r.method for r in API.routes if "/audit" in r.path] == ["GET"]
