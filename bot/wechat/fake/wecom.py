"""WeCom endpoints: access token, app messages to staff (`touser` / `toparty` / `totag`,
`@all`), the welcome message to a new external contact."""

from __future__ import annotations

from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, require_body
from bot.wechat.fake.msgtypes import WECOM_MSGTYPES, validate
from bot.wechat.fake.state import FakeWeChat


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


def _ids(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split("|") if part.strip()]


def _unknown(ids: list[str], known: set[str] | None) -> list[str]:
    return [] if known is None else [i for i in ids if i not in known]


def _recipients(fake: FakeWeChat, body: dict[str, Any]) -> dict[str, str]:
    """The invalid ids per field; 82001 when none is given, 81013 when all are invalid."""
    users, parties, tags = (
        _ids(body.get("touser")),
        _ids(body.get("toparty")),
        _ids(body.get("totag")),
    )
    if not (users or parties or tags):
        raise FakeFailure(82001)
    if "@all" in users:
        return {"invaliduser": "", "invalidparty": "", "invalidtag": ""}
    bad_users = _unknown(users, fake.staff)
    bad_parties, bad_tags = _unknown(parties, fake.parties), _unknown(tags, fake.tags)
    if len(bad_users) + len(bad_parties) + len(bad_tags) == len(users) + len(parties) + len(tags):
        raise FakeFailure(81013)
    invalid = {"invaliduser": bad_users, "invalidparty": bad_parties, "invalidtag": bad_tags}
    return {name: "|".join(ids) for name, ids in invalid.items()}


def wecom_send(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    body = require_body(req)
    if str(body.get("agentid")) != account.rsplit(":", 1)[1]:
        raise FakeFailure(40056)
    validate(fake, account, body, WECOM_MSGTYPES)
    invalid = _recipients(fake, body)
    msgid = f"fake-{fake.new_msgid()}"
    return {"errcode": 0, "errmsg": "ok", **invalid, "msgid": msgid}


def send_welcome_msg(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = require_body(req)
    code = body.get("welcome_code")
    if not isinstance(code, str) or not code or not (body.get("text") or body.get("attachments")):
        raise FakeFailure(40058)
    if not fake.use_welcome_code(code):
        raise FakeFailure(41051)
    return {"errcode": 0, "errmsg": "ok"}
