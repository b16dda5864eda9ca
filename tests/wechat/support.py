"""Helpers shared by the WeChat tests: settings pointed at the fake, a broken server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import OfficialAccountSettings, WeComSettings

ServerFactory = Callable[..., Awaitable[TestServer]]
OA_SECRET = "oa-s3cret-never-logged"
WECOM_SECRET = "wecom-s3cret-never-logged"


def oa_settings(base_url: str, **overrides: Any) -> OfficialAccountSettings:
    fields: dict[str, Any] = {"app_secret": OA_SECRET, **overrides}
    return OfficialAccountSettings(api_base_url=base_url, **fields)


def wecom_settings(base_url: str, **overrides: Any) -> WeComSettings:
    fields: dict[str, Any] = {"secret": WECOM_SECRET, **overrides}
    return WeComSettings(api_base_url=base_url, **fields)


def app_answering(status: int, text: str) -> web.Application:
    """A server that answers every request with `text`, to test broken answers."""

    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text=text)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app
