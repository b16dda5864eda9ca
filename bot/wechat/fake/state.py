"""State of the fake WeChat API: apps, tokens, followers, contacts, media, tasks, recorded calls,
injected failures, customer-service windows — all timed by one injected Clock.

Usable in-process (tests call `fail_next`, `sent`, `add_follower`, `inbound` directly) or
through the `/_fake/` control endpoints (`bot.wechat.fake.control`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from bot.wechat.fake.errcodes import OA_ERRMSG, WECOM_ERRMSG, FakeFailure
from bot.wechat.fake.records import (
    MEDIA_LIFETIME,
    FakeCall,
    FakeExternalContact,
    FakeFollower,
    FakeGroupTask,
    FakeMedia,
    FakeOAApp,
    FakeSent,
    FakeWeComApp,
)
from bot.wechat.fake.windows import CustomerWindows, InboundKind
from crm.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger("bot.wechat.fake")

TOKEN_LIFETIME = 7200
LEGACY_OVERLAP = 300  # GET /cgi-bin/token keeps the previous token valid for 5 more minutes
SEND_PATHS = frozenset({"/cgi-bin/message/custom/send", "/cgi-bin/message/send"})


@dataclass
class _Token:
    account: str
    expires_at: float


@dataclass(frozen=True)
class _Issued:
    value: str
    expires_in: int


class FakeWeChat:
    def __init__(
        self,
        oa_apps: list[FakeOAApp] | None = None,
        wecom_apps: list[FakeWeComApp] | None = None,
        *,
        strict_openids: bool = False,
        strict_contacts: bool = False,
        staff: set[str] | None = None,
        parties: set[str] | None = None,
        tags: set[str] | None = None,
        windows: bool = False,
        clock: Clock = SYSTEM_CLOCK,
        log_calls: bool = False,
    ) -> None:
        """`strict_openids`: sends to an openid never registered answer 40003 (user/info always
        does); `strict_contacts` the same for external contacts in add_msg_template. `staff`,
        `parties`, `tags`: WeCom ids that exist (None: every id exists). `windows`: enforce the
        customer-service windows opened by `inbound` (45015 / 45047 outside them)."""
        self.oa_apps = {app.app_id: app for app in oa_apps or [FakeOAApp()]}
        self.wecom_apps = {app.corp_id: app for app in wecom_apps or [FakeWeComApp()]}
        self.strict_openids, self.strict_contacts = strict_openids, strict_contacts
        self.staff, self.parties, self.tags = staff, parties, tags
        self.robot_keys: set[str] | None = None  # group-robot keys that exist (None: any)
        self.enforce_windows, self.clock, self.log_calls = windows, clock, log_calls
        self.reset()

    def reset(self) -> None:
        """Forget tokens, calls, followers, contacts, media, menus, tasks, failures, windows."""
        self.calls: list[FakeCall] = []
        self.followers: dict[str, FakeFollower] = {}
        self.contacts: dict[str, FakeExternalContact] = {}
        self.media: dict[str, FakeMedia] = {}
        self.menus: dict[str, list[dict[str, Any]]] = {}
        self.tasks: dict[str, FakeGroupTask] = {}
        self.windows = CustomerWindows(self.clock)
        self._tokens: dict[str, _Token] = {}
        self._current: dict[str, str] = {}
        self._failures: dict[str, list[int]] = {}
        self._used_welcome_codes: set[str] = set()
        self._next_msgid = 2_000_000_000

    def now(self) -> float:
        return self.clock.now().timestamp()

    # -- in-process control ------------------------------------------------------------------

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next `times` calls to `path` answer `errcode` (after the token check)."""
        self._failures.setdefault(path, []).extend([errcode] * times)

    def expire_tokens(self) -> None:
        now = self.now()
        for token in self._tokens.values():
            token.expires_at = min(token.expires_at, now)

    def add_follower(self, openid: str, **fields: Any) -> FakeFollower:
        follower = FakeFollower(openid=openid, **fields)
        self.followers[openid] = follower
        return follower

    def add_contact(self, external_userid: str, *followers: str, **fields: Any) -> None:
        """An external contact followed by the staff members `followers`."""
        follow = [{"userid": userid} for userid in followers]
        contact = FakeExternalContact(external_userid=external_userid, follow_user=follow, **fields)
        self.contacts[external_userid] = contact

    def inbound(
        self, openid: str, kind: InboundKind = InboundKind.MESSAGE, at: float | None = None
    ) -> None:
        """The customer wrote (MESSAGE) or followed / scanned / clicked, at `at` (epoch s)."""
        self.windows.opened(openid, kind, at)

    def confirm_group_msg(self, msgid: str, userid: str | None = None, status: int = 1) -> int:
        """The staff member (every sender if None) confirms the task: sent now (status 1),
        or the customer was not reached (2 no longer a contact, 3 their monthly limit)."""
        task = self.tasks[msgid]
        due = [k for k, s in task.status.items() if s == 0 and userid in (None, k[0])]
        for key in due:
            task.status[key] = status
            if status == 1:
                task.send_time[key] = int(self.now())
        return len(due)

    def calls_to(self, path: str) -> list[FakeCall]:
        return [call for call in self.calls if call.path == path]

    def sent(self, touser: str | None = None) -> list[FakeSent]:
        """Messages accepted by the send endpoints, in order; `touser` one recipient id."""
        found = [_sent(call) for call in self.calls if call.path in SEND_PATHS and not call.errcode]
        return [s for s in found if touser is None or touser in s.touser.split("|")]

    def sent_texts(self, touser: str | None = None) -> list[str]:
        """Contents of text messages accepted (OA customer-service and WeCom app messages)."""
        return [s.content["content"] for s in self.sent(touser) if s.msgtype == "text"]

    # -- used by the endpoints ---------------------------------------------------------------

    def take_failure(self, path: str) -> int | None:
        queue = self._failures.get(path)
        return queue.pop(0) if queue else None

    def issue_token(self, account: str, *, reuse: bool, overlap: float | None = None) -> _Issued:
        """Current token of `account` when `reuse` and still valid, else a new one; the
        previous token dies now, or after `overlap` seconds (legacy /cgi-bin/token)."""
        now = self.now()
        current = self._tokens.get(self._current.get(account, ""))
        if reuse and current is not None and current.expires_at > now:
            return _Issued(self._current[account], int(current.expires_at - now))
        if current is not None:
            current.expires_at = min(current.expires_at, now + (overlap or 0))
        value = secrets.token_urlsafe(96)
        self._tokens[value] = _Token(account, now + TOKEN_LIFETIME)
        self._current[account] = value
        return _Issued(value, TOKEN_LIFETIME)

    def token_account(self, value: str, kind: str | None) -> str:
        """The account a presented token belongs to (`kind` oa / wecom, None: either), or
        FakeFailure as WeChat answers."""
        if not value:
            raise FakeFailure(41001)
        token = self._tokens.get(value)
        if token is None or (kind is not None and not token.account.startswith(kind + ":")):
            raise FakeFailure(40014 if kind == "wecom" else 40001)
        if token.expires_at <= self.now():
            raise FakeFailure(42001)
        return token.account

    def new_msgid(self) -> int:
        self._next_msgid += 1
        return self._next_msgid

    def store_media(self, account: str, kind: str, size: int) -> tuple[str, FakeMedia]:
        media = FakeMedia(account, kind, self.now(), size)
        media_id = secrets.token_urlsafe(48)
        self.media[media_id] = media
        return media_id, media

    def media_of(self, media_id: str, account: str) -> FakeMedia | None:
        """A temporary media item of this account, still alive (three days)."""
        media = self.media.get(media_id)
        if media is None or media.account != account:
            return None
        return media if self.now() < media.created_at + MEDIA_LIFETIME else None

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

    def error_payload(self, family: str, failure: FakeFailure) -> dict[str, Any]:
        """WeChat's error answer; `family` oa or wecom decides the errmsg layout."""
        code = failure.errcode
        if family == "wecom":
            text = failure.detail or WECOM_ERRMSG.get(code) or OA_ERRMSG.get(code, "fake error")
            return {"errcode": code, "errmsg": _wecom_errmsg(code, text, self.now())}
        text = failure.detail or OA_ERRMSG.get(code) or WECOM_ERRMSG.get(code, "fake error")
        return {"errcode": code, "errmsg": f"{text} rid: {_rid()}"}


def _sent(call: FakeCall) -> FakeSent:
    body = call.body
    msgtype = str(body["msgtype"])
    return FakeSent(call.path, str(body.get("touser") or ""), msgtype, body.get(msgtype))


def _rid() -> str:
    return "-".join(secrets.token_hex(4) for _ in range(3))


def _wecom_errmsg(errcode: int, text: str, now: float) -> str:
    hint = f"{int(now)}_{secrets.randbelow(100)}_{secrets.token_hex(16)}"
    return (
        f"{text}, hint: [{hint}], from ip: 127.0.0.1, "
        f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
    )


def _log_line(call: FakeCall) -> str:
    body = call.body if isinstance(call.body, dict) else {}
    text = body.get("text") if isinstance(body.get("text"), dict) else {}
    parts = [call.method, call.path, f"errcode={call.errcode}"]
    who = body.get("touser") or body.get("toparty") or call.query.get("openid")
    parts += [f"to={who}"] if who else []
    parts += [f"msgtype={body['msgtype']}"] if body.get("msgtype") not in (None, "text") else []
    parts += [repr(str(text["content"])[:60])] if text and "content" in text else []
    return " ".join(parts)
