"""The console's routes: /admin (the page) and /admin/static (its modules and styles).

The page only carries code: every figure and every decision comes from /api/v1 with the
signed-in token, so the console can do exactly what that token may do through the API."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"
# the page loads nothing from elsewhere; inline SVG styles are its only inline code
SECURITY = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


async def page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers=SECURITY)


async def to_page(_: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/admin/")


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/admin", to_page),
        web.get("/admin/", page),
        web.static("/admin/static", STATIC),
    ]
