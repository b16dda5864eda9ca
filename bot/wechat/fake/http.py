"""How every fake API endpoint runs: read the request, check the token, take an injected
failure, run the endpoint logic, answer WeChat's JSON and record the call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.records import FakeCall
from bot.wechat.fake.state import FakeWeChat

FAKE_KEY = web.AppKey("fake_wechat", FakeWeChat)
Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request (media/upload's `media`)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    raw: str
    files: dict[str, Upload] = field(default_factory=dict)


Logic = Callable[[FakeWeChat, FakeRequest, str], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """An API path: `kind` is whose token it takes (oa, wecom, any; None: a token endpoint)."""

    method: str
    path: str
    logic: Logic
    kind: str | None
    family: str  # whose error layout it answers in: oa or wecom


def json_response(payload: Any, status: int = 200) -> web.Response:
    text = json.dumps(payload, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json")


def require_body(req: FakeRequest) -> dict[str, Any]:
    if not req.raw:
        raise FakeFailure(44002)
    if not isinstance(req.body, dict):
        raise FakeFailure(47001)
    return req.body


async def read_request(request: web.Request) -> FakeRequest:
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = (await request.read()).decode("utf-8", errors="replace")
    try:
        body = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        body = None
    return FakeRequest(request.method, request.path, dict(request.query), body, raw)


async def _read_multipart(request: web.Request) -> FakeRequest:
    files: dict[str, Upload] = {}
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and part.name:
            data = await part.read()
            kind = part.headers.get("Content-Type", "application/octet-stream")
            files[part.name] = Upload(part.filename or "", kind, bytes(data))
    described = {name: {"filename": f.filename, "size": len(f.data)} for name, f in files.items()}
    raw = json.dumps(described, ensure_ascii=False)
    return FakeRequest(request.method, request.path, dict(request.query), described, raw, files)


def endpoint(route: Route) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        fake = request.app[FAKE_KEY]
        req = await read_request(request)
        family = route.family
        try:
            account = _account(fake, req, route)
            family = account.split(":", 1)[0] if route.kind == "any" else family
            _injected(fake, req.path)
            payload = route.logic(fake, req, account)
        except FakeFailure as failure:
            payload = fake.error_payload(family, failure)
        return answer(fake, req, payload)

    return handle


def answer(fake: FakeWeChat, req: FakeRequest, payload: dict[str, Any]) -> web.Response:
    errcode = int(payload.get("errcode", 0))
    call = FakeCall(req.method, req.path, req.query, req.body, req.raw, errcode, fake.now())
    fake.record(call)
    return json_response(payload)


def _account(fake: FakeWeChat, req: FakeRequest, route: Route) -> str:
    if route.kind is None:
        return ""
    kind = None if route.kind == "any" else route.kind
    return fake.token_account(req.query.get("access_token", ""), kind)


def _injected(fake: FakeWeChat, path: str) -> None:
    errcode = fake.take_failure(path)
    if errcode is not None:
        raise FakeFailure(errcode)
