"""State of the fake WeChat API: apps, tokens, followers, recorded calls, injected failures.

Usable in-process (tests call `fail_next`, `sent_texts`, `add_follower` directly) or through
the `/_fake/` control endpoints of `bot.wechat.fake`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

log = logging.getLogger("bot.wechat.fake")

TOKEN_LIFETIME = 7200
LEGACY_OVERLAP = 300  # GET /cgi-bin/token keeps the previous token valid for 5 more minutes
WECOM_PATHS = frozenset(
    {"/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/externalcontact/send_welcome_msg"}
)
TEXT_PATHS = frozenset({"/cgi-bin/message/custom/send", "/cgi-bin/message/send"})
_SECRET_KEYS = frozenset({"secret", "corpsecret", "appsecret"})

OA_ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41009: "missing openid",
    42001: "access_token expired",
    43004: "require subscribe",
    44002: "empty post data",
    44004: "empty content",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    48001: "api unauthorized",
}
WECOM_ERRMSG: dict[int, str] = {
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    40058: "invalid parameter",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    41051: "externaluser has started chatting",
    42001: "access_token expired",
    44004: "empty content",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    47001: "data format error",
    81013: "user & party & tag all invalid",
}
KNOWN_ERRCODES = frozenset(OA_ERRMSG) | frozenset(WECOM_ERRMSG)


class FakeFailure(Exception):
    """Raised by the fake's endpoint logic; becomes a WeChat error answer."""

    def __init__(self, errcode: int) -> None:
        super().__init__(errcode)
        self.errcode = errcode


@dataclass(frozen=True)
class FakeOAApp:
    app_id: str = "wx0000000000000000"
    secret: str = field(default="siyu-demo-secret", repr=False)


@dataclass(frozen=True)
class FakeWeComApp:
    corp_id: str = "ww0000000000000000"
    secret: str = field(default="siyu-demo-secret", repr=False)
    agent_id: int = 1000002


@dataclass(frozen=True)
class FakeCall:
    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    raw: str
    errcode: int
    at: float

    def masked(self) -> dict[str, Any]:
        """The record with secrets and tokens masked, for JSON answers and logs."""
        return {
            "method": self.method,
            "path": self.path,
            "query": _mask(dict(self.query)),
            "body": _mask(self.body) if isinstance(self.body, dict) else self.body,
            "errcode": self.errcode,
            "at": self.at,
        }


@dataclass
class _Token:
    account: str
    expires_at: float


class FakeFollower(BaseModel):
    """Follower info served by `GET /cgi-bin/user/info` (the documented fields)."""

    openid: str
    subscribe: int = 1
    language: str = "zh_CN"
    subscribe_time: int = Field(default_factory=lambda: int(time.time()))
    unionid: str | None = None
    remark: str = ""
    groupid: int = 0
    tagid_list: list[int] = Field(default_factory=list)
    subscribe_scene: str = "ADD_SCENE_QR_CODE"
    qr_scene: int = 0
    qr_scene_str: str = ""

    def answer(self) -> dict[str, Any]:
        if self.subscribe != 1:
            return self.model_dump(include={"subscribe", "openid", "unionid"}, exclude_none=True)
        return self.model_dump(exclude_none=True)


def _mask(data: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECRET_KEYS:
            masked[key] = "***"
        elif key == "access_token" and isinstance(value, str):
            masked[key] = value[:6] + "***"
        else:
            masked[key] = value
    return masked


class FakeWeChat:
    def __init__(
        self,
        oa_apps: list[FakeOAApp] | None = None,
        wecom_apps: list[FakeWeComApp] | None = None,
        *,
        strict_openids: bool = False,
        staff: set[str] | None = None,
        clock: Callable[[], float] = time.time,
        log_calls: bool = False,
    ) -> None:
        """`strict_openids`: sends to an openid never registered answer 40003 (user/info always
        does). `staff`: WeCom userids that exist (None: every userid exists)."""
        self.oa_apps = {app.app_id: app for app in oa_apps or [FakeOAApp()]}
        self.wecom_apps = {app.corp_id: app for app in wecom_apps or [FakeWeComApp()]}
        self.strict_openids, self.staff = strict_openids, staff
        self.clock, self.log_calls = clock, log_calls
        self.reset()

    def reset(self) -> None:
        """Forget tokens, calls, followers, failures and used welcome codes."""
        self.calls: list[FakeCall] = []
        self.followers: dict[str, FakeFollower] = {}
        self._tokens: dict[str, _Token] = {}
        self._current: dict[str, str] = {}
        self._failures: dict[str, list[int]] = {}
        self._used_welcome_codes: set[str] = set()
        self._next_msgid = 2_000_000_000

    # -- in-process control ------------------------------------------------------------------

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next `times` calls to `path` answer `errcode` (after the token check)."""
        self._failures.setdefault(path, []).extend([errcode] * times)

    def expire_tokens(self) -> None:
        now = self.clock()
        for token in self._tokens.values():
            token.expires_at = min(token.expires_at, now)

    def add_follower(self, openid: str, **fields: Any) -> FakeFollower:
        follower = FakeFollower(openid=openid, **fields)
        self.followers[openid] = follower
        return follower

    def calls_to(self, path: str) -> list[FakeCall]:
        return [call for call in self.calls if call.path == path]

    def sent_texts(self, touser: str | None = None) -> list[str]:
        """Contents of text messages accepted (OA customer-service and WeCom app messages)."""
        return [
            call.body["text"]["content"]
            for call in self.calls
            if call.path in TEXT_PATHS
            and call.errcode == 0
            and (touser is None or call.body.get("touser") == touser)
        ]

    # -- used by the endpoints ---------------------------------------------------------------

    def take_failure(self, path: str) -> int | None:
        queue = self._failures.get(path)
        return queue.pop(0) if queue else None

    def issue_token(self, account: str, *, reuse: bool, overlap: float | None = None) -> _Issued:
        """Current token of `account` when `reuse` and still valid, else a new one; the
        previous token dies now, or after `overlap` seconds (legacy /cgi-bin/token)."""
        now = self.clock()
        current = self._tokens.get(self._current.get(account, ""))
        if reuse and current is not None and current.expires_at > now:
            return _Issued(self._current[account], int(current.expires_at - now))
        if current is not None:
            current.expires_at = min(current.expires_at, now + (overlap or 0))
        value = secrets.token_urlsafe(96)
        self._tokens[value] = _Token(account, now + TOKEN_LIFETIME)
        self._current[account] = value
        return _Issued(value, TOKEN_LIFETIME)

    def token_account(self, value: str, kind: str) -> str:
        """The account a presented token belongs to, or FakeFailure as WeChat answers."""
        if not value:
            raise FakeFailure(41001)
        token = self._tokens.get(value)
        if token is None or not token.account.startswith(kind + ":"):
            raise FakeFailure(40001 if kind == "oa" else 40014)
        if token.expires_at <= self.clock():
            raise FakeFailure(42001)
        return token.account

    def new_msgid(self) -> int:
        self._next_msgid += 1
        return self._next_msgid

    def use_welcome_code(self, code: str) -> bool:
        """False when the code was already used (a WelcomeCode works once)."""
        if code in self._used_welcome_codes:
            return False
        self._used_welcome_codes.add(code)
        return True

    def record(self, call: FakeCall) -> None:
        self.calls.append(call)
        if self.log_calls:
            log.info("%s", _log_line(call))

    def error_payload(self, path: str, errcode: int) -> dict[str, Any]:
        if path in WECOM_PATHS:
            return {"errcode": errcode, "errmsg": _wecom_errmsg(errcode)}
        text = OA_ERRMSG.get(errcode) or WECOM_ERRMSG.get(errcode, "fake error")
        return {"errcode": errcode, "errmsg": f"{text} rid: {_rid()}"}


@dataclass(frozen=True)
class _Issued:
    value: str
    expires_in: int


def _rid() -> str:
    return "-".join(secrets.token_hex(4) for _ in range(3))


def _wecom_errmsg(errcode: int) -> str:
    text = WECOM_ERRMSG.get(errcode) or OA_ERRMSG.get(errcode, "fake error")
    hint = f"{int(time.time())}_{secrets.randbelow(100)}_{secrets.token_hex(16)}"
    return (
        f"{text}, hint: [{hint}], from ip: 127.0.0.1, "
        f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
    )


def _log_line(call: FakeCall) -> str:
    body = call.body if isinstance(call.body, dict) else {}
    text = body.get("text") if isinstance(body.get("text"), dict) else {}
    parts = [call.method, call.path, f"errcode={call.errcode}"]
    who = body.get("touser") or call.query.get("openid")
    parts += [f"to={who}"] if who else []
    parts += [repr(str(text["content"])[:60])] if text and "content" in text else []
    return " ".join(parts)
