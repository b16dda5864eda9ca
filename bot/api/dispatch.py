"""From an HTTP request to a handler call: request id, token, rate limit, permission, then
the path, query and body validated by their models (in that order: a role that may not call
an endpoint learns nothing about what it would accept)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api.config import ApiSettings
from bot.api.errors import RequestInvalid, dumps, validation_details
from bot.keys import STORE
from bot.store import Store
from crm import audit, tokens
from crm.actors import Actor
from crm.errors import InvalidToken, RateLimited
from crm.permissions import require

from .registry import Call, Route

MAX_ID = 2**31 - 1
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
API_SETTINGS: web.AppKey[ApiSettings] = web.AppKey("api_settings", ApiSettings)
REQUEST_ID = web.RequestKey("request_id", str)


def request_id(request: web.Request) -> str:
    """The caller's X-Request-Id when it is a sane one, else a new one."""
    given = request.headers.get("X-Request-Id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def bearer(request: web.Request) -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidToken("需要 Authorization: Bearer <令牌>")
    return secret.strip()


async def throttle(store: Store, actor: Actor, settings: ApiSettings) -> None:
    wait = await store.take_tokens(
        f"api:rate:{actor.id}", settings.rate_per_second, settings.rate_burst
    )
    if wait > 0:
        raise RateLimited(max(1, int(wait + 0.999)))


def path_params(route: Route, request: web.Request) -> dict[str, int]:
    values, problems = {}, []
    for name in route.path_params:
        raw = request.match_info[name]
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
            values[name] = int(raw)
        else:
            problems.append({"field": f"path.{name}", "message": f"must be an id, 1 to {MAX_ID}"})
    if problems:
        raise RequestInvalid(problems)
    return values


def parse_query(route: Route, request: web.Request) -> Any:
    if route.query is None:
        if request.query:
            name = next(iter(request.query))
            raise RequestInvalid([{"field": f"query.{name}", "message": "unknown parameter"}])
        return None
    raw: dict[str, Any] = {}
    for name, value in request.query.items():
        if name in raw:
            raise RequestInvalid([{"field": f"query.{name}", "message": "given twice"}])
        _storable(value, f"query.{name}")
        raw[name] = value
    return _validated(route.query, raw, "query")


def capped(query: Any, settings: ApiSettings) -> Any:
    """The configured cap on `limit` (the document's is the largest a deployment may set)."""
    if getattr(query, "limit", 0) > settings.max_page:
        message = f"at most {settings.max_page}"
        raise RequestInvalid([{"field": "query.limit", "message": message}])
    return query


def _validated(model: type[BaseModel], raw: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RequestInvalid(validation_details(exc, where)) from None


async def parse_body(route: Route, request: web.Request, settings: ApiSettings) -> Any:
    if route.body is None:
        return None
    if (request.content_length or 0) > settings.max_body_bytes:
        raise web.HTTPRequestEntityTooLarge(settings.max_body_bytes, request.content_length or 0)
    raw = await request.read()
    if len(raw) > settings.max_body_bytes:
        raise web.HTTPRequestEntityTooLarge(settings.max_body_bytes, len(raw))
    return _validated(route.body, _json(raw), "body")


def _json(raw: bytes) -> Any:
    if not raw.strip():
        raise RequestInvalid([{"field": "body", "message": "a JSON body is required"}])
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = {"field": "body", "message": f"not JSON: {type(exc).__name__}"}
        raise RequestInvalid([problem]) from None
    # json.dumps writes a NUL as \u0000, even with ensure_ascii=False: look for that
    _storable(json.dumps(value, ensure_ascii=False).replace("\\u0000", "\x00"), "body")
    return value


def _storable(text: str, field: str) -> None:
    """PostgreSQL text holds neither NUL nor lone surrogates: refuse them, never strip them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestInvalid([{"field": field, "message": "not valid UTF-8 text"}]) from None
    if "\x00" in text:
        raise RequestInvalid([{"field": field, "message": "NUL characters are not allowed"}])


async def dispatch(route: Route, request: web.Request) -> web.StreamResponse:
    rid = request[REQUEST_ID]
    token = audit.REQUEST_ID.set(rid)  # the services that audit on their own stamp it too
    try:
        return await _dispatch(route, request, rid)
    finally:
        audit.REQUEST_ID.reset(token)


async def _dispatch(route: Route, request: web.Request, rid: str) -> web.StreamResponse:
    settings = request.config_dict[API_SETTINGS]
    actor = await tokens.authenticate(bearer(request))
    await throttle(request.config_dict[STORE], actor, settings)
    require(actor, route.action)
    call = Call(
        request, actor, rid, path_params(route, request),
        capped(parse_query(route, request), settings),
        await parse_body(route, request, settings),
    )  # fmt: skip
    return respond(route, await route.handler(call))


def respond(route: Route, result: Any) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    if route.response is None:
        return web.Response(status=204)
    body = route.response.model_validate(result).model_dump(mode="json")
    return web.json_response(body, status=route.status, dumps=dumps)


@web.middleware
async def request_id_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    request[REQUEST_ID] = rid = request_id(request)
    response: web.StreamResponse = await handler(request)
    if not response.prepared:
        response.headers["X-Request-Id"] = rid
    return response
