"""What the fake WeChat API keeps: apps, recorded calls, followers, external contacts, media,
group-message tasks. Plain records; the rules live in `state` and the endpoint modules."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

_SECRET_KEYS = frozenset({"secret", "corpsecret", "appsecret", "key"})  # key: group robot
MEDIA_LIFETIME = 3 * 24 * 3600  # temporary media live three days


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


@dataclass(frozen=True)
class FakeSent:
    """One message WeChat accepted on a send endpoint: where, to whom, what."""

    path: str
    touser: str
    msgtype: str
    content: Any


@dataclass(frozen=True)
class FakeMedia:
    account: str
    type: str
    created_at: float
    size: int


@dataclass
class FakeGroupTask:
    """An add_msg_template task: per (sender, external_userid) a status until confirmed."""

    msgid: str
    created_at: float
    status: dict[tuple[str, str], int]
    send_time: dict[tuple[str, str], int] = field(default_factory=dict)
    chat_type: str = "single"  # single: targets are external_userids; group: chat ids


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


class FakeFollowUser(BaseModel):
    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = Field(default_factory=lambda: int(time.time()))
    tags: list[dict[str, Any]] = Field(default_factory=list)
    remark_mobiles: list[str] = Field(default_factory=list)
    add_way: int = 1
    oper_userid: str = ""
    state: str = ""


class FakeExternalContact(BaseModel):
    """A WeCom external contact served by `GET /cgi-bin/externalcontact/get`."""

    external_userid: str
    name: str = "客户"
    type: int = 1  # 1 WeChat user, 2 WeCom user
    gender: int = 0
    avatar: str = ""
    unionid: str | None = None
    follow_user: list[FakeFollowUser] = Field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        contact = self.model_dump(exclude={"follow_user"}, exclude_none=True)
        follow = [user.model_dump() for user in self.follow_user]
        return {"errcode": 0, "errmsg": "ok", "external_contact": contact, "follow_user": follow}

    def followed_by(self, userid: str) -> bool:
        return any(user.userid == userid for user in self.follow_user)


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
