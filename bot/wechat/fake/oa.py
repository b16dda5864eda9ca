"""Official Account endpoints: access tokens, customer-service and template messages, followers."""

from __future__ import annotations

from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, require_body
from bot.wechat.fake.msgtypes import OA_MSGTYPES, validate
from bot.wechat.fake.state import LEGACY_OVERLAP, FakeWeChat

OK = {"errcode": 0, "errmsg": "ok"}
MAX_TEMPLATE_VALUE = 20


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
    body = require_body(req)
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


def custom_send(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    body = require_body(req)
    _check_openid(fake, body.get("touser"))
    validate(fake, account, body, OA_MSGTYPES)
    closed = fake.windows.take(body["touser"]) if fake.enforce_windows else None
    if closed is not None:
        raise FakeFailure(closed)
    return dict(OK)


def template_send(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = require_body(req)
    _check_openid(fake, body.get("touser"))
    if not body.get("template_id"):
        raise FakeFailure(40037)
    if not isinstance(body.get("data"), dict):
        raise FakeFailure(47001)
    for value in body["data"].values():
        _check_value(value)
    return {**OK, "msgid": fake.new_msgid()}


def _check_value(value: Any) -> None:
    """Since 2023-05-04 a keyword value is at most 20 characters with no newline; WeChat
    answers 47001 "data format error" otherwise."""
    text = value.get("value") if isinstance(value, dict) else None
    if not isinstance(text, str) or len(text) > MAX_TEMPLATE_VALUE or "\n" in text:
        raise FakeFailure(47001)


def user_info(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    openid = req.query.get("openid", "")
    if not openid:
        raise FakeFailure(41009)
    follower = fake.followers.get(openid)
    if follower is None:
        raise FakeFailure(40003)
    return follower.answer()
