"""The admin API's sub-application: routes from the route table, the document, the docs."""

from __future__ import annotations

from aiohttp import web

from bot.api import docs, errors, openapi
from bot.api import resources as resources  # registers every endpoint
from bot.api.config import ApiSettings
from bot.api.dispatch import API_SETTINGS, dispatch, request_id_middleware
from bot.api.registry import API, Route

TITLE = "siyu admin API"
VERSION = "1.0.0"


def api_app(settings: ApiSettings) -> web.Application:
    """The sub-application to mount at /api; reads the store and settings of its parent."""
    app = web.Application(middlewares=[request_id_middleware, errors.error_middleware])
    app[API_SETTINGS] = settings
    app.add_routes([_route_def(route) for route in API.routes])
    app.add_routes(docs.routes(openapi.document(API.routes, title=TITLE, version=VERSION)))
    return app


def _route_def(route: Route) -> web.RouteDef:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await dispatch(route, request)

    return web.route(route.method, route.path, handle)
