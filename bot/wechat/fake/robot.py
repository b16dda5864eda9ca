"""WeCom group robot (群机器人): `POST /cgi-bin/webhook/send?key=KEY`, no access token.

As the real one answers: an unknown or missing key 93000 "invalid webhook url"; more than
20 messages a minute to one key 45009; a text over 2,048 bytes (markdown 4,096) 40058
naming the field; an unknown msgtype 40008."""

from __future__ import annotations

from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, require_body
from bot.wechat.fake.state import FakeWeChat

PATH = "/cgi-bin/webhook/send"
PER_MINUTE = 20
_LIMITS = {"text": 2048, "markdown": 4096}


def webhook_send(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    key = req.query.get("key", "")
    if not key or (fake.robot_keys is not None and key not in fake.robot_keys):
        raise FakeFailure(93000)
    body = require_body(req)
    _check_content(body)
    if _recent(fake, key) >= PER_MINUTE:
        raise FakeFailure(45009)
    return {"errcode": 0, "errmsg": "ok"}


def _check_content(body: dict[str, Any]) -> None:
    msgtype = body.get("msgtype")
    if msgtype not in _LIMITS:
        raise FakeFailure(40008)
    part = body.get(msgtype)
    content = part.get("content") if isinstance(part, dict) else None
    if not isinstance(content, str) or not content:
        raise FakeFailure(44004)
    limit = _LIMITS[msgtype]
    if len(content.encode()) > limit:
        raise FakeFailure(40058, f"{msgtype}.content exceed max length {limit}")


def _recent(fake: FakeWeChat, key: str) -> int:
    since = fake.now() - 60
    return sum(
        1
        for call in fake.calls
        if call.path == PATH and not call.errcode and call.query.get("key") == key
        and call.at >= since
    )  # fmt: skip
