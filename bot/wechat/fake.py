"""A fake WeChat API server (Official Account + WeCom) for tests and `siyu demo`.

Same paths, methods, query parameters, JSON shapes and error codes as the real API, for the
calls siyu makes. Control endpoints under `/_fake/` (JSON):
  GET  /_fake/calls[?path=]   recorded calls, secrets masked
  POST /_fake/fail            {"path": ..., "errcode": 45015, "times": 1}
  POST /_fake/expire_tokens   every issued token answers 42001 from now on
  POST /_fake/reset           forget tokens, calls, followers and failures
  POST /_fake/users           a follower object, or a list of them, for /cgi-bin/user/info
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from bot.wechat.fake_state import (
    KNOWN_ERRCODES,
    LEGACY_OVERLAP,
    FakeCall,
    FakeFailure,
    FakeFollower,
    FakeOAApp,
    FakeWeChat,
    FakeWeComApp,
)

FAKE_KEY = web.AppKey("fake_wechat", FakeWeChat)
Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    raw: str


Logic = Callable[[FakeWeChat, FakeRequest, str], dict[str, Any]]


def _json(payload: Any, status: int = 200) -> web.Response:
    text = json.dumps(payload, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json")


async def _read(request: web.Request) -> FakeRequest:
    raw = (await request.read()).decode("utf-8", errors="replace")
    try:
        body = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        body = None
    return FakeRequest(request.method, request.path, dict(request.query), body, raw)


def _require_body(req: FakeRequest) -> dict[str, Any]:
    if not req.raw:
        raise FakeFailure(44002)
    if not isinstance(req.body, dict):
        raise FakeFailure(47001)
    return req.body


def _endpoint(logic: Logic, kind: str | None) -> Handler:
    """Wraps endpoint logic: token check (`kind` oa / wecom), injected failure, record."""

    async def handle(request: web.Request) -> web.Response:
        fake = request.app[FAKE_KEY]
        req = await _read(request)
        try:
            account = fake.token_account(req.query.get("access_token", ""), kind) if kind else ""
            injected = fake.take_failure(req.path)
            if injected is not None:
                raise FakeFailure(injected)
            payload = logic(fake, req, account)
        except FakeFailure as failure:
            payload = fake.error_payload(req.path, failure.errcode)
        errcode = int(payload.get("errcode", 0))
        fake.record(
            FakeCall(req.method, req.path, req.query, req.body, req.raw, errcode, fake.clock())
        )
        return _json(payload)

    return handle


# -- Official Account --------------------------------------------------------------------------


def _oa_app(fake: FakeWeChat, appid: str, secret: str) -> str:
    if not appid:
        raise FakeFailure(41002)
    if not secret:
        raise FakeFailure(41004)
    app = fake.oa_apps.get(appid)
    if app is None:
        raise FakeFailure(40013)
    if secret != app.secret:
        raise FakeFailure(40125)
    return f"oa:{appid}"


def stable_token(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = _require_body(req)
    if body.get("grant_type") != "client_credential":
        raise FakeFailure(40002)
    account = _oa_app(fake, str(body.get("appid") or ""), str(body.get("secret") or ""))
    issued = fake.issue_token(account, reuse=not body.get("force_refresh", False))
    return {"access_token": issued.value, "expires_in": issued.expires_in}


def legacy_token(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    if req.query.get("grant_type") != "client_credential":
        raise FakeFailure(40002)
    account = _oa_app(fake, req.query.get("appid", ""), req.query.get("secret", ""))
    issued = fake.issue_token(account, reuse=False, overlap=LEGACY_OVERLAP)
    return {"access_token": issued.value, "expires_in": issued.expires_in}


def _check_openid(fake: FakeWeChat, openid: Any) -> None:
    if not isinstance(openid, str) or not openid:
        raise FakeFailure(40003)
    follower = fake.followers.get(openid)
    if follower is None and fake.strict_openids:
        raise FakeFailure(40003)
    if follower is not None and follower.subscribe != 1:
        raise FakeFailure(43004)


def custom_send(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = _require_body(req)
    _check_openid(fake, body.get("touser"))
    if body.get("msgtype") != "text":
        raise FakeFailure(40008)
    text = body.get("text")
    if not isinstance(text, dict) or not text.get("content"):
        raise FakeFailure(44004)
    return {"errcode": 0, "errmsg": "ok"}


def template_send(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = _require_body(req)
    _check_openid(fake, body.get("touser"))
    if not body.get("template_id"):
        raise FakeFailure(40037)
    if not isinstance(body.get("data"), dict):
        raise FakeFailure(47001)
    return {"errcode": 0, "errmsg": "ok", "msgid": fake.new_msgid()}


def user_info(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    openid = req.query.get("openid", "")
    if not openid:
        raise FakeFailure(41009)
    follower = fake.followers.get(openid)
    if follower is None:
        raise FakeFailure(40003)
    return follower.answer()


# -- WeCom -------------------------------------------------------------------------------------


def gettoken(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    corp_id, secret = req.query.get("corpid", ""), req.query.get("corpsecret", "")
    if not corp_id:
        raise FakeFailure(41002)
    if not secret:
        raise FakeFailure(41004)
    app = fake.wecom_apps.get(corp_id)
    if app is None:
        raise FakeFailure(40013)
    if secret != app.secret:
        raise FakeFailure(40001)
    issued = fake.issue_token(f"wecom:{corp_id}:{app.agent_id}", reuse=True)
    return {
        "errcode": 0,
        "errmsg": "ok",
        "access_token": issued.value,
        "expires_in": issued.expires_in,
    }


def _wecom_text(body: dict[str, Any], account: str) -> None:
    if str(body.get("agentid")) != account.rsplit(":", 1)[1]:
        raise FakeFailure(40056)
    if body.get("msgtype") != "text":
        raise FakeFailure(40008)
    text = body.get("text")
    if not isinstance(text, dict) or not text.get("content"):
        raise FakeFailure(44004)


def wecom_send(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    body = _require_body(req)
    _wecom_text(body, account)
    users = [u for u in str(body.get("touser") or "").split("|") if u]
    if not users:
        raise FakeFailure(40003)
    invalid = [u for u in users if fake.staff is not None and u != "@all" and u not in fake.staff]
    if len(invalid) == len(users):
        raise FakeFailure(81013)
    msgid = f"fake-{fake.new_msgid()}"
    return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid}


def send_welcome_msg(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = _require_body(req)
    code = body.get("welcome_code")
    if not isinstance(code, str) or not code or not (body.get("text") or body.get("attachments")):
        raise FakeFailure(40058)
    if not fake.use_welcome_code(code):
        raise FakeFailure(41051)
    return {"errcode": 0, "errmsg": "ok"}


# -- control -----------------------------------------------------------------------------------


class FailRequest(BaseModel):
    path: str
    errcode: int
    times: int = Field(1, ge=1, le=1000)


async def control_calls(request: web.Request) -> web.Response:
    fake = request.app[FAKE_KEY]
    path = request.query.get("path")
    calls = fake.calls_to(path) if path else fake.calls
    return _json({"calls": [call.masked() for call in calls]})


async def control_fail(request: web.Request) -> web.Response:
    try:
        order = FailRequest.model_validate_json(await request.read())
    except ValidationError as exc:
        return _json({"error": exc.errors(include_url=False, include_input=False)}, 400)
    if order.errcode not in KNOWN_ERRCODES:
        return _json({"error": f"unsupported errcode {order.errcode}"}, 400)
    request.app[FAKE_KEY].fail_next(order.path, order.errcode, order.times)
    return _json({"ok": True})


async def control_expire(request: web.Request) -> web.Response:
    request.app[FAKE_KEY].expire_tokens()
    return _json({"ok": True})


async def control_reset(request: web.Request) -> web.Response:
    request.app[FAKE_KEY].reset()
    return _json({"ok": True})


async def control_users(request: web.Request) -> web.Response:
    try:
        data = json.loads(await request.read())
        items = data if isinstance(data, list) else [data]
        followers = [FakeFollower.model_validate(item) for item in items]
    except (json.JSONDecodeError, ValidationError) as exc:
        return _json({"error": str(exc)}, 400)
    fake = request.app[FAKE_KEY]
    for follower in followers:
        fake.followers[follower.openid] = follower
    return _json({"ok": True, "count": len(followers)})


def create_fake_app(state: FakeWeChat | None = None) -> web.Application:
    app = web.Application()
    app[FAKE_KEY] = state or FakeWeChat()
    app.router.add_post("/cgi-bin/stable_token", _endpoint(stable_token, None))
    app.router.add_get("/cgi-bin/token", _endpoint(legacy_token, None))
    app.router.add_post("/cgi-bin/message/custom/send", _endpoint(custom_send, "oa"))
    app.router.add_post("/cgi-bin/message/template/send", _endpoint(template_send, "oa"))
    app.router.add_get("/cgi-bin/user/info", _endpoint(user_info, "oa"))
    app.router.add_get("/cgi-bin/gettoken", _endpoint(gettoken, None))
    app.router.add_post("/cgi-bin/message/send", _endpoint(wecom_send, "wecom"))
    welcome = _endpoint(send_welcome_msg, "wecom")
    app.router.add_post("/cgi-bin/externalcontact/send_welcome_msg", welcome)
    app.router.add_get("/_fake/calls", control_calls)
    app.router.add_post("/_fake/fail", control_fail)
    app.router.add_post("/_fake/expire_tokens", control_expire)
    app.router.add_post("/_fake/reset", control_reset)
    app.router.add_post("/_fake/users", control_users)
    return app


def fake_state(app: web.Application) -> FakeWeChat:
    return app[FAKE_KEY]


__all__ = [
    "FakeCall",
    "FakeFollower",
    "FakeOAApp",
    "FakeWeChat",
    "FakeWeComApp",
    "create_fake_app",
    "fake_state",
]
