"""/api/openapi.json and /api/docs: Swagger UI from the pinned swagger-ui-py package, served
from this process (no CDN: the page works offline)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from aiohttp import web

from bot.api.errors import dumps

ASSETS = Path(str(files("swagger_ui") / "static"))
_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>siyu admin API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>
"""
# validatorUrl null: Swagger UI would otherwise fetch a badge from an outside validator
_INIT = """window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, persistAuthorization: false, validatorUrl: null});
"""
_SECURITY = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
             "style-src 'self' 'unsafe-inline'", "X-Content-Type-Options": "nosniff"}  # fmt: skip


def routes(document: dict[str, object]) -> list[web.AbstractRouteDef]:
    text = dumps(document)

    async def openapi(_: web.Request) -> web.Response:
        return web.Response(text=text, content_type="application/json")

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=_PAGE, content_type="text/html", headers=_SECURITY)

    async def init(_: web.Request) -> web.Response:
        return web.Response(text=_INIT, content_type="application/javascript")

    return [
        web.get("/openapi.json", openapi),
        web.get("/docs", page),
        web.get("/docs/init.js", init),
        web.static("/docs/assets", ASSETS),
    ]
