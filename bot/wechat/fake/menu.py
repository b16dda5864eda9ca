"""Official Account custom menu: `menu/create`, `menu/get`, `get_current_selfmenu_info`,
`menu/delete`, with WeChat's limits: 1–3 buttons, 1–5 sub-buttons each; names ≤ 16 bytes
(sub-buttons ≤ 60), keys ≤ 128, urls ≤ 1024; the codes 40016–40027 name what broke."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, require_body
from bot.wechat.fake.state import FakeWeChat

OK = {"errcode": 0, "errmsg": "ok"}
KEY_TYPES = frozenset(
    {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album"}
    | {"pic_weixin", "location_select"}
)
FIELD_TYPES = {
    "view": "url",
    "miniprogram": "appid",
    "media_id": "media_id",
    "view_limited": "media_id",
    "article_id": "article_id",
    "article_view_limited": "article_id",
}


@dataclass(frozen=True)
class _Codes:
    """The codes for one level: top-level buttons or sub-buttons."""

    type: int
    name: int
    key: int
    url: int
    name_bytes: int


TOP = _Codes(type=40017, name=40018, key=40019, url=40020, name_bytes=16)
SUB = _Codes(type=40024, name=40025, key=40026, url=40027, name_bytes=60)


def _size(value: Any) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def _check_leaf(button: dict[str, Any], codes: _Codes) -> None:
    kind = button.get("type")
    if kind in KEY_TYPES and not 0 < _size(button.get("key")) <= 128:
        raise FakeFailure(codes.key)
    if kind in ("view", "miniprogram") and not 0 < _size(button.get("url")) <= 1024:
        raise FakeFailure(codes.url)
    if kind not in KEY_TYPES and kind not in FIELD_TYPES:
        raise FakeFailure(codes.type)
    if not button.get(FIELD_TYPES.get(str(kind), "type")):
        raise FakeFailure(47001)
    if kind == "miniprogram" and not button.get("pagepath"):
        raise FakeFailure(47001)


def _check_button(button: Any, codes: _Codes) -> None:
    if not isinstance(button, dict):
        raise FakeFailure(47001)
    if not 0 < _size(button.get("name")) <= codes.name_bytes:
        raise FakeFailure(codes.name)
    subs = button.get("sub_button") or []
    if codes is SUB or not subs:
        _check_leaf(button, codes)
        return
    if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
        raise FakeFailure(40023)
    for sub in subs:
        _check_button(sub, SUB)


def menu_create(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    buttons = require_body(req).get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise FakeFailure(40016)
    for button in buttons:
        _check_button(button, TOP)
    fake.menus[account] = [{"sub_button": [], **copy.deepcopy(b)} for b in buttons]
    return dict(OK)


def menu_get(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    buttons = fake.menus.get(account)
    if buttons is None:
        raise FakeFailure(46003)
    return {"menu": {"button": copy.deepcopy(buttons)}}


def _selfmenu_button(button: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in button.items() if k != "sub_button"}
    if button["sub_button"]:
        shown["sub_button"] = {"list": copy.deepcopy(button["sub_button"])}
    return shown


def selfmenu_info(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    buttons = fake.menus.get(account)
    if buttons is None:
        return {"is_menu_open": 0, "selfmenu_info": {"button": []}}
    return {"is_menu_open": 1, "selfmenu_info": {"button": [_selfmenu_button(b) for b in buttons]}}


def menu_delete(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    fake.menus.pop(account, None)
    return dict(OK)
