"""The `/_fake/` control endpoints (JSON), a stable interface for tests and the demo:
GET  /_fake/calls[?path=&since=N&limit=M]  recorded calls, secrets masked; `since` skips
                              the first N calls, `limit` caps the page; `next` is the next since
POST /_fake/fail              {"path": ..., "errcode": 45015, "times": 1}
POST /_fake/expire_tokens     every issued token answers 42001 from now on
POST /_fake/reset             forget tokens, calls, followers, contacts, media, failures
POST /_fake/users             a follower object, or a list of them, for /cgi-bin/user/info
POST /_fake/inbound           {"openid", "kind": message|follow|click|scan, "at": epoch s}
                              opens a customer-service window
POST /_fake/contacts          an external contact, or a list, for externalcontact/*
POST /_fake/groupmsg/confirm  {"msgid", "userid": null, "status": 1}: staff confirm a group
                              task (status 1 sent; 2 not a contact, 3 limit: not sent)
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from bot.wechat.fake.errcodes import KNOWN_ERRCODES
from bot.wechat.fake.http import FAKE_KEY, json_response
from bot.wechat.fake.records import FakeExternalContact, FakeFollower
from bot.wechat.fake.windows import InboundKind

ModelT = TypeVar("ModelT", bound=BaseModel)
API_PATHS = web.AppKey("fake_api_paths", frozenset[str])


class FailRequest(BaseModel):
    path: str
    errcode: int
    times: int = Field(1, ge=1, le=1000)


class InboundRequest(BaseModel):
    openid: str = Field(min_length=1)
    kind: InboundKind = InboundKind.MESSAGE
    at: float | None = None


class ConfirmRequest(BaseModel):
    msgid: str
    userid: str | None = None
    status: int = Field(1, ge=1, le=3)


def _bad(error: Any) -> web.Response:
    return json_response({"error": error}, 400)


def _refusal(order: FailRequest, paths: frozenset[str]) -> str | None:
    if order.errcode not in KNOWN_ERRCODES:
        return f"unsupported errcode {order.errcode}"
    if order.path not in paths:
        return f"unknown API path {order.path}"
    return None


async def control_calls(request: web.Request) -> web.Response:
    fake = request.app[FAKE_KEY]
    path = request.query.get("path")
    try:
        since = max(0, int(request.query.get("since", "0")))
        limit = int(request.query["limit"]) if "limit" in request.query else None
    except ValueError:
        return _bad("since and limit are numbers")
    calls = fake.calls_to(path) if path else fake.calls
    page = calls[since : None if limit is None else since + max(0, limit)]
    body = {"calls": [call.masked() for call in page], "total": len(calls)}
    return json_response({**body, "next": since + len(page)})


async def control_fail(request: web.Request) -> web.Response:
    try:
        order = FailRequest.model_validate_json(await request.read())
    except ValidationError as exc:
        return _bad(exc.errors(include_url=False, include_input=False))
    refusal = _refusal(order, request.app[API_PATHS])
    if refusal is not None:
        return _bad(refusal)
    request.app[FAKE_KEY].fail_next(order.path, order.errcode, order.times)
    return json_response({"ok": True})


async def control_expire(request: web.Request) -> web.Response:
    request.app[FAKE_KEY].expire_tokens()
    return json_response({"ok": True})


async def control_reset(request: web.Request) -> web.Response:
    request.app[FAKE_KEY].reset()
    return json_response({"ok": True})


async def _models(request: web.Request, model: type[ModelT]) -> list[ModelT]:
    data = json.loads(await request.read())
    items = data if isinstance(data, list) else [data]
    return [model.model_validate(item) for item in items]


async def control_users(request: web.Request) -> web.Response:
    return await _register(request, FakeFollower, request.app[FAKE_KEY].followers, "openid")


async def control_contacts(request: web.Request) -> web.Response:
    contacts = request.app[FAKE_KEY].contacts
    return await _register(request, FakeExternalContact, contacts, "external_userid")


async def _register(
    request: web.Request, model: type[ModelT], table: dict[str, ModelT], key: str
) -> web.Response:
    """Followers or external contacts the fake should know, by their id."""
    try:
        items = await _models(request, model)
    except (json.JSONDecodeError, ValidationError) as exc:
        return _bad(str(exc))
    for item in items:
        table[getattr(item, key)] = item
    return json_response({"ok": True, "count": len(items)})


async def control_inbound(request: web.Request) -> web.Response:
    try:
        order = InboundRequest.model_validate_json(await request.read())
    except ValidationError as exc:
        return _bad(exc.errors(include_url=False, include_input=False))
    request.app[FAKE_KEY].inbound(order.openid, order.kind, order.at)
    return json_response({"ok": True})


async def control_confirm(request: web.Request) -> web.Response:
    try:
        order = ConfirmRequest.model_validate_json(await request.read())
    except ValidationError as exc:
        return _bad(exc.errors(include_url=False, include_input=False))
    fake = request.app[FAKE_KEY]
    if order.msgid not in fake.tasks:
        return _bad(f"unknown msgid {order.msgid}")
    return json_response(
        {"ok": True, "sent": fake.confirm_group_msg(order.msgid, order.userid, order.status)}
    )


def add_control_routes(app: web.Application) -> None:
    app.router.add_get("/_fake/calls", control_calls)
    app.router.add_post("/_fake/fail", control_fail)
    app.router.add_post("/_fake/expire_tokens", control_expire)
    app.router.add_post("/_fake/reset", control_reset)
    app.router.add_post("/_fake/users", control_users)
    app.router.add_post("/_fake/contacts", control_contacts)
    app.router.add_post("/_fake/inbound", control_inbound)
    app.router.add_post("/_fake/groupmsg/confirm", control_confirm)
