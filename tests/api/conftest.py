"""The admin API through the real app (in-process), with a token per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.api.config import ApiSettings
from bot.app import create_app
from bot.config import Settings
from bot.startup import prepare_process
from crm import caches, tokens
from crm.actors import Actor
from crm.models import Role
from tests.conftest import make_settings

ROLES = (Role.ADMIN, Role.OPERATOR, Role.VIEWER)


@dataclass
class Api:
    client: TestClient
    secrets: dict[Role, str]

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.secrets[role]}"}

    async def call(
        self, method: str, path: str, role: Role | None = Role.ADMIN, **kw: Any
    ) -> tuple[int, Any]:
        headers = {**self.headers(role), **kw.pop("headers", {})}
        resp = await self.client.request(method, "/api/v1" + path, headers=headers, **kw)
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body

    async def ok(self, method: str, path: str, role: Role = Role.ADMIN, **kw: Any) -> Any:
        status, body = await self.call(method, path, role, **kw)
        assert status < 300, (status, body)
        return body


@pytest.fixture
def api_settings(database_url: str, fake_wechat_url: str) -> Settings:
    fast = ApiSettings(rate_per_second=1000, rate_burst=1000)
    return make_settings(database_url, fake_wechat_url, api=fast)


@pytest.fixture
async def api(aiohttp_client, api_settings: Settings) -> AsyncIterator[Api]:  # type: ignore[no-untyped-def]
    caches.clear()
    prepare_process(api_settings)
    client = await aiohttp_client(create_app(api_settings, worker=False))
    maker = Actor.system("test")
    secrets = {}
    for role in ROLES:
        issued = await tokens.create_token(f"test-{role.value}", role, actor=maker)
        secrets[role] = issued.secret
    yield Api(client, secrets)
    caches.clear()


def assert_error(body: Any, code: str) -> dict[str, Any]:
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    return body["error"]  # type: ignore[no-any-return]
