"""The fake WeChat API at the HTTP level: shapes and error codes as WeChat answers them."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeOAApp, FakeSent, FakeWeChat, create_fake_app
from crm.clock import FrozenClock

from .support import OA_SECRET, WECOM_SECRET

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
APPID, CORPID = "wx0000000000000000", "ww0000000000000000"


@pytest.fixture
async def http(aiohttp_client: ClientFactory, fake: FakeWeChat) -> TestClient[Any, Any]:
    return await aiohttp_client(create_fake_app(fake))


async def _json(http: TestClient[Any, Any], method: str, path: str, **kw: Any) -> Any:
    resp = await http.request(method, path, **kw)
    assert resp.status == 200
    return await resp.json(content_type=None)


async def _stable(
    http: TestClient[Any, Any], force: bool = False, over: dict[str, str] | None = None
) -> Any:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": OA_SECRET}
    return await _json(
        http, "POST", "/cgi-bin/stable_token", json={**body, **(over or {}), "force_refresh": force}
    )


async def _custom(http: TestClient[Any, Any], token: str | None, body: Any) -> Any:
    params = {"access_token": token} if token is not None else {}
    return await _json(http, "POST", "/cgi-bin/message/custom/send", params=params, json=body)


TEXT = {"touser": "o-a", "msgtype": "text", "text": {"content": "你好"}}
CUSTOM, SEND = "/cgi-bin/message/custom/send", "/cgi-bin/message/send"
ARTICLE = {"title": "双十一", "description": "全场包邮", "url": "https://x.cn/a", "picurl": ""}
WECOM_TEXT = {"msgtype": "text", "agentid": 1000002, "text": {"content": "通知"}}


async def _oa_token(http: TestClient[Any, Any]) -> str:
    return str((await _stable(http))["access_token"])


async def _wecom_token_value(http: TestClient[Any, Any]) -> str:
    answer = await _json(
        http, "GET", "/cgi-bin/gettoken", params={"corpid": CORPID, "corpsecret": WECOM_SECRET}
    )
    return str(answer["access_token"])


async def _api(http: TestClient[Any, Any], method: str, path: str, token: str, **kw: Any) -> Any:
    params = {"access_token": token, **kw.pop("params", {})}
    return await _json(http, method, path, params=params, **kw)


async def _wecom_send(http: TestClient[Any, Any], token: str, body: Any) -> Any:
    return await _api(http, "POST", SEND, token, json=body)


async def _upload(
    http: TestClient[Any, Any],
    token: str,
    kind: str,
    filename: str = "a.jpg",
    data: bytes = b"\xff\xd8 jpeg",
) -> Any:
    form = FormData()
    form.add_field("media", data, filename=filename, content_type="application/octet-stream")
    return await _api(
        http, "POST", "/cgi-bin/media/upload", token, params={"type": kind}, data=form
    )


async def test_stable_token_is_stable_until_forced(http: TestClient[Any, Any]) -> None:
    first = await _stable(http)
    assert set(first) == {"access_token", "expires_in"} and first["expires_in"] == 7200
    assert (await _stable(http))["access_token"] == first["access_token"]
    forced = await _stable(http, force=True)
    assert forced["access_token"] != first["access_token"]
    old = await _custom(http, first["access_token"], TEXT)
    assert old["errcode"] == 42001
    assert (await _custom(http, forced["access_token"], TEXT)) == {"errcode": 0, "errmsg": "ok"}


@pytest.mark.parametrize(
    ("over", "errcode", "text"),
    [
        ({"appid": "wx-unknown"}, 40013, "invalid appid"),
        ({"secret": "nope"}, 40125, "invalid appsecret"),
        ({"grant_type": "password"}, 40002, "invalid grant_type"),
        ({"appid": ""}, 41002, "appid missing"),
    ],
)
async def test_stable_token_errors(
    http: TestClient[Any, Any], over: dict[str, str], errcode: int, text: str
) -> None:
    answer = await _stable(http, over=over)
    assert answer["errcode"] == errcode
    assert answer["errmsg"].startswith(f"{text} rid: ")


async def test_legacy_token_keeps_the_previous_one_for_a_while(
    http: TestClient[Any, Any],
) -> None:
    query = {"grant_type": "client_credential", "appid": APPID, "secret": OA_SECRET}
    first = await _json(http, "GET", "/cgi-bin/token", params=query)
    second = await _json(http, "GET", "/cgi-bin/token", params=query)
    assert first["access_token"] != second["access_token"]
    assert (await _custom(http, first["access_token"], TEXT))["errcode"] == 0


@pytest.mark.parametrize(("token", "errcode"), [(None, 41001), ("bogus", 40001)])
async def test_bad_access_token(
    http: TestClient[Any, Any], token: str | None, errcode: int
) -> None:
    answer = await _custom(http, token, TEXT)
    assert answer["errcode"] == errcode and " rid: " in answer["errmsg"]


async def test_expired_tokens(http: TestClient[Any, Any]) -> None:
    token = (await _stable(http))["access_token"]
    await _json(http, "POST", "/_fake/expire_tokens")
    assert (await _custom(http, token, TEXT))["errcode"] == 42001
    assert (await _stable(http))["access_token"] != token


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"msgtype": "text", "text": {"content": "x"}}, 40003),
        ({"touser": "o-a", "msgtype": "markdown", "markdown": {"content": "x"}}, 40008),
        ({"touser": "o-a", "msgtype": "text", "text": {}}, 44004),
        ("not json", 47001),
    ],
)
async def test_custom_send_validation(http: TestClient[Any, Any], body: Any, errcode: int) -> None:
    token = (await _stable(http))["access_token"]
    assert (await _custom(http, token, body))["errcode"] == errcode


async def test_strict_openids(http: TestClient[Any, Any], fake: FakeWeChat) -> None:
    fake.strict_openids = True
    token = (await _stable(http))["access_token"]
    assert (await _custom(http, token, TEXT))["errcode"] == 40003
    fake.add_follower("o-a")
    assert (await _custom(http, token, TEXT))["errcode"] == 0


async def test_injected_failures_and_calls(http: TestClient[Any, Any]) -> None:
    token = (await _stable(http))["access_token"]
    order = {"path": "/cgi-bin/message/custom/send", "errcode": 45015, "times": 2}
    assert (await _json(http, "POST", "/_fake/fail", json=order)) == {"ok": True}
    answers = [await _custom(http, token, TEXT) for _ in range(3)]
    assert [a["errcode"] for a in answers] == [45015, 45015, 0]
    assert answers[0]["errmsg"].startswith("response out of time limit or subscription is canceled")
    calls = await _json(http, "GET", "/_fake/calls", params={"path": order["path"]})
    assert [c["errcode"] for c in calls["calls"]] == [45015, 45015, 0]
    assert calls["calls"][0]["query"]["access_token"].endswith("***")
    everything = await _json(http, "GET", "/_fake/calls")
    assert OA_SECRET not in str(everything) and token not in str(everything)


async def test_unsupported_failure_is_refused(http: TestClient[Any, Any]) -> None:
    resp = await http.post("/_fake/fail", json={"path": "/x", "errcode": 12345})
    assert resp.status == 400


async def test_users_and_user_info(http: TestClient[Any, Any]) -> None:
    users = [{"openid": "o-a", "unionid": "u-a"}, {"openid": "o-b", "subscribe": 0}]
    assert (await _json(http, "POST", "/_fake/users", json=users))["count"] == 2
    token = (await _stable(http))["access_token"]
    info = await _json(
        http, "GET", "/cgi-bin/user/info", params={"access_token": token, "openid": "o-a"}
    )
    assert info["subscribe"] == 1 and info["unionid"] == "u-a" and "errcode" not in info
    gone = await _json(
        http, "GET", "/cgi-bin/user/info", params={"access_token": token, "openid": "o-b"}
    )
    assert gone == {"subscribe": 0, "openid": "o-b"}
    nobody = await _json(
        http, "GET", "/cgi-bin/user/info", params={"access_token": token, "openid": "o-z"}
    )
    assert nobody["errcode"] == 40003


async def test_reset(http: TestClient[Any, Any], fake: FakeWeChat) -> None:
    token = (await _stable(http))["access_token"]
    await _json(http, "POST", "/_fake/reset")
    assert fake.calls == []
    assert (await _custom(http, token, TEXT))["errcode"] == 40001


async def _wecom_token(http: TestClient[Any, Any], secret: str = WECOM_SECRET) -> Any:
    return await _json(
        http, "GET", "/cgi-bin/gettoken", params={"corpid": CORPID, "corpsecret": secret}
    )


async def test_wecom_token_and_errors(http: TestClient[Any, Any]) -> None:
    ok = await _wecom_token(http)
    assert ok["errcode"] == 0 and ok["errmsg"] == "ok" and ok["expires_in"] == 7200
    bad = await _wecom_token(http, "nope")
    assert bad["errcode"] == 40001
    assert "hint: [" in bad["errmsg"] and "devtool/query?e=40001" in bad["errmsg"]


async def test_wecom_rejects_oa_tokens_and_wrong_agent(http: TestClient[Any, Any]) -> None:
    oa_token = (await _stable(http))["access_token"]
    body = {"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}}
    path = "/cgi-bin/message/send"
    assert (await _json(http, "POST", path, params={"access_token": oa_token}, json=body))[
        "errcode"
    ] == 40014
    token = (await _wecom_token(http))["access_token"]
    wrong = {**body, "agentid": 1}
    assert (await _json(http, "POST", path, params={"access_token": token}, json=wrong))[
        "errcode"
    ] == 40056
    sent = await _json(http, "POST", path, params={"access_token": token}, json=body)
    assert sent["errcode"] == 0 and sent["invaliduser"] == ""


async def test_wecom_all_users_invalid(http: TestClient[Any, Any], fake: FakeWeChat) -> None:
    fake.staff = {"lisi"}
    token = (await _wecom_token(http))["access_token"]
    body = {"touser": "ghost", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}}
    answer = await _json(
        http, "POST", "/cgi-bin/message/send", params={"access_token": token}, json=body
    )
    assert answer["errcode"] == 81013


async def test_sent_texts_in_process(http: TestClient[Any, Any], fake: FakeWeChat) -> None:
    """What was sent, to whom, through which path: accepted messages only, texts by recipient."""
    assert fake.sent() == [] and fake.sent_texts() == []
    oa, wecom = await _oa_token(http), await _wecom_token_value(http)
    await _custom(http, oa, {**TEXT, "text": {"content": "客服消息"}})
    fake.fail_next(CUSTOM, 45047)
    assert (await _custom(http, oa, {**TEXT, "text": {"content": "没发出"}}))["errcode"] == 45047
    await _custom(http, oa, {"touser": "o-b", "msgtype": "news", "news": {"articles": [ARTICLE]}})
    await _wecom_send(http, wecom, {"touser": "zhangsan|lisi", **WECOM_TEXT})
    await _wecom_send(http, wecom, {"toparty": "2", **WECOM_TEXT})
    assert fake.sent() == [
        FakeSent(CUSTOM, "o-a", "text", {"content": "客服消息"}),
        FakeSent(CUSTOM, "o-b", "news", {"articles": [ARTICLE]}),
        FakeSent(SEND, "zhangsan|lisi", "text", {"content": "通知"}),
        FakeSent(SEND, "", "text", {"content": "通知"}),
    ]
    assert fake.sent_texts() == ["客服消息", "通知", "通知"]
    assert fake.sent_texts("o-a") == ["客服消息"] and fake.sent_texts("o-b") == []
    assert fake.sent_texts("lisi") == ["通知"] and fake.sent_texts("zhang") == []
    fake.fail_next("/p", 45047, times=2)
    assert [fake.take_failure("/p") for _ in range(3)] == [45047, 45047, None]


# -- unknown paths, methods, failure injection on the new paths ------------------------------


async def test_unknown_path_answers_like_wechat_and_is_recorded(http: TestClient[Any, Any]) -> None:
    token = await _oa_token(http)
    answer = await _api(http, "POST", "/cgi-bin/no/such/api", token, json={"a": 1})
    assert answer["errcode"] == 40066 and answer["errmsg"].startswith("invalid url rid: ")
    wrong_method = await _api(http, "GET", "/cgi-bin/menu/create", token)
    assert wrong_method["errcode"] == 43002  # require POST method
    calls = await _json(http, "GET", "/_fake/calls", params={"path": "/cgi-bin/no/such/api"})
    assert [(c["method"], c["errcode"], c["body"]) for c in calls["calls"]] == [
        ("POST", 40066, {"a": 1})
    ]
    assert calls["calls"][0]["query"]["access_token"].endswith("***")
    assert (await http.get("/_fake/nothing")).status == 404


async def test_failures_inject_on_new_paths_and_refuse_unknown_ones(
    http: TestClient[Any, Any],
) -> None:
    order = {"path": "/cgi-bin/externalcontact/add_msg_template", "errcode": -1}
    assert (await _json(http, "POST", "/_fake/fail", json=order)) == {"ok": True}
    token = await _wecom_token_value(http)
    body = {"external_userid": ["wm-a"], "sender": "zhangsan", "text": {"content": "x"}}
    path = order["path"]
    assert (await _api(http, "POST", path, token, json=body))["errcode"] == -1
    assert (await _api(http, "POST", path, token, json=body))["errcode"] == 0
    typo = await http.post("/_fake/fail", json={"path": "/cgi-bin/menu/creat", "errcode": -1})
    assert typo.status == 400 and "unknown API path" in (await typo.json())["error"]


# -- OA: menus --------------------------------------------------------------------------------

MENU = {
    "button": [
        {"type": "click", "name": "今日推荐", "key": "V1001_TODAY"},
        {
            "name": "服务",
            "sub_button": [
                {"type": "view", "name": "官网", "url": "https://x.cn/"},
                {"type": "scancode_push", "name": "扫码", "key": "scan"},
            ],
        },
    ]
}


async def test_menu_create_get_selfmenu_delete(http: TestClient[Any, Any]) -> None:
    token = await _oa_token(http)
    assert (await _api(http, "GET", "/cgi-bin/menu/get", token))["errcode"] == 46003
    created = await _api(http, "POST", "/cgi-bin/menu/create", token, json=MENU)
    assert created == {"errcode": 0, "errmsg": "ok"}
    got = await _api(http, "GET", "/cgi-bin/menu/get", token)
    assert got["menu"]["button"][0] == {**MENU["button"][0], "sub_button": []}
    assert got["menu"]["button"][1] == MENU["button"][1]
    info = await _api(http, "GET", "/cgi-bin/get_current_selfmenu_info", token)
    assert info["is_menu_open"] == 1
    service = info["selfmenu_info"]["button"][1]
    assert service == {"name": "服务", "sub_button": {"list": MENU["button"][1]["sub_button"]}}
    assert (await _api(http, "GET", "/cgi-bin/menu/delete", token))["errcode"] == 0
    assert (await _api(http, "GET", "/cgi-bin/menu/get", token))["errcode"] == 46003
    closed = await _api(http, "GET", "/cgi-bin/get_current_selfmenu_info", token)
    assert closed["is_menu_open"] == 0


def _sub(**fields: Any) -> dict[str, Any]:
    return {"name": "服务", "sub_button": [{"type": "click", "name": "子", "key": "k", **fields}]}


@pytest.mark.parametrize(
    ("buttons", "errcode"),
    [
        ([MENU["button"][0]] * 4, 40016),  # at most 3 buttons
        ([], 40016),
        ([{"type": "bogus", "name": "x", "key": "k"}], 40017),
        ([{"type": "click", "name": "今日推荐商品", "key": "k"}], 40018),  # 18 bytes > 16
        ([{"type": "click", "name": "x"}], 40019),  # click needs a key
        ([{"type": "view", "name": "x", "url": "https://x.cn/" + "a" * 1024}], 40020),
        ([{"name": "服务", "sub_button": [MENU["button"][0]] * 6}], 40023),  # at most 5
        ([_sub(type="bogus")], 40024),
        ([_sub(name="子" * 21)], 40025),  # 63 bytes > 60
        ([_sub(key="k" * 129)], 40026),
        ([_sub(type="view", url="")], 40027),
    ],
)
async def test_menu_create_errors(
    http: TestClient[Any, Any], buttons: list[dict[str, Any]], errcode: int
) -> None:
    token = await _oa_token(http)
    answer = await _api(http, "POST", "/cgi-bin/menu/create", token, json={"button": buttons})
    assert answer["errcode"] == errcode
    assert (await _api(http, "GET", "/cgi-bin/menu/get", token))["errcode"] == 46003


# -- media/upload -----------------------------------------------------------------------------


async def test_media_upload_answers_and_serves_sends(
    http: TestClient[Any, Any], fake: FakeWeChat
) -> None:
    token = await _oa_token(http)
    image = await _upload(http, token, "image")
    assert set(image) == {"type", "media_id", "created_at"} and image["type"] == "image"
    assert abs(image["created_at"] - fake.now()) < 5
    thumb = await _upload(http, token, "thumb")
    assert set(thumb) == {"type", "thumb_media_id", "created_at"}  # WeChat's own shape
    sent = {"touser": "o-a", "msgtype": "image", "image": {"media_id": image["media_id"]}}
    assert (await _custom(http, token, sent))["errcode"] == 0
    as_voice = {"touser": "o-a", "msgtype": "voice", "voice": {"media_id": image["media_id"]}}
    assert (await _custom(http, token, as_voice))["errcode"] == 40007
    calls = fake.calls_to("/cgi-bin/media/upload")
    assert calls[0].body == {"media": {"filename": "a.jpg", "size": 7}}


@pytest.mark.parametrize(
    ("kind", "filename", "data", "errcode"),
    [
        ("file", "a.jpg", b"12345", 40004),  # file is WeCom only
        ("image", "a.exe", b"12345", 40005),
        ("thumb", "a.jpg", b"x" * (64 * 1024 + 1), 40006),
        ("voice", "a.amr", b"", 44001),
    ],
)
async def test_media_upload_errors(
    http: TestClient[Any, Any], kind: str, filename: str, data: bytes, errcode: int
) -> None:
    token = await _oa_token(http)
    assert (await _upload(http, token, kind, filename, data))["errcode"] == errcode


async def test_media_upload_without_the_file(http: TestClient[Any, Any]) -> None:
    token = await _oa_token(http)
    form = FormData()
    form.add_field("other", b"12345", filename="a.jpg")
    path = "/cgi-bin/media/upload"
    answer = await _api(http, "POST", path, token, params={"type": "image"}, data=form)
    assert answer["errcode"] == 41005


async def test_wecom_media_upload(http: TestClient[Any, Any]) -> None:
    token = await _wecom_token_value(http)
    answer = await _upload(http, token, "file", "报价单.pdf", b"%PDF-1.4")
    assert answer["errcode"] == 0 and answer["type"] == "file"
    assert isinstance(answer["created_at"], str)  # WeCom answers a string
    assert (await _upload(http, token, "thumb"))["errcode"] == 40004
    assert (await _upload(http, token, "file", "a.txt", b"1234"))["errcode"] == 40006  # < 5 B
    body = {
        "touser": "zhangsan",
        "msgtype": "file",
        "agentid": 1000002,
        "file": {"media_id": answer["media_id"]},
    }
    assert (await _wecom_send(http, token, body))["errcode"] == 0
    oa_token = await _oa_token(http)
    other = {"touser": "o-a", "msgtype": "image", "image": {"media_id": answer["media_id"]}}
    assert (await _custom(http, oa_token, other))["errcode"] == 40007  # not this account's


# -- the clock: media lifetime, customer-service windows ---------------------------------------


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture
async def timed(aiohttp_client: ClientFactory, clock: FrozenClock) -> TestClient[Any, Any]:
    fake = FakeWeChat([FakeOAApp(APPID, OA_SECRET)], windows=True, clock=clock)
    return await aiohttp_client(create_fake_app(fake))


async def test_the_48_hour_window_closes_on_the_clock(
    timed: TestClient[Any, Any], clock: FrozenClock
) -> None:
    token = await _oa_token(timed)
    assert (await _custom(timed, token, TEXT))["errcode"] == 45015  # never wrote in
    inbound = {"openid": "o-a", "kind": "message"}
    assert (await _json(timed, "POST", "/_fake/inbound", json=inbound)) == {"ok": True}
    assert [(await _custom(timed, token, TEXT))["errcode"] for _ in range(6)] == [0] * 5 + [45047]
    await _json(timed, "POST", "/_fake/inbound", json=inbound)
    clock.advance(hours=47, minutes=59)
    token = await _oa_token(timed)  # the old one expired after 2 h
    assert (await _custom(timed, token, TEXT))["errcode"] == 0
    clock.advance(minutes=1)
    assert (await _custom(timed, token, TEXT))["errcode"] == 45015


async def test_an_event_opens_three_messages_for_a_minute(
    timed: TestClient[Any, Any], clock: FrozenClock
) -> None:
    token = await _oa_token(timed)
    await _json(timed, "POST", "/_fake/inbound", json={"openid": "o-a", "kind": "event"})
    assert (await _custom(timed, token, TEXT))["errcode"] == 0
    clock.advance(seconds=60)
    assert (await _custom(timed, token, TEXT))["errcode"] == 45015
    bad = await timed.post("/_fake/inbound", json={"openid": "o-a", "kind": "VIEW"})
    assert bad.status == 400


async def test_tokens_and_media_expire_on_the_clock(
    timed: TestClient[Any, Any], clock: FrozenClock
) -> None:
    token = await _oa_token(timed)
    media_id = (await _upload(timed, token, "image"))["media_id"]
    await _json(timed, "POST", "/_fake/inbound", json={"openid": "o-a"})
    image = {"touser": "o-a", "msgtype": "image", "image": {"media_id": media_id}}
    clock.advance(seconds=7199)
    assert (await _custom(timed, token, image))["errcode"] == 0
    clock.advance(seconds=1)
    assert (await _custom(timed, token, image))["errcode"] == 42001
    clock.advance(days=3)
    await _json(timed, "POST", "/_fake/inbound", json={"openid": "o-a"})
    assert (await _custom(timed, await _oa_token(timed), image))["errcode"] == 40007


# -- OA customer-service msgtypes -------------------------------------------------------------


def _oa_messages(media: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {
        "text": {"content": "你好"},
        "image": {"media_id": media["image"]},
        "voice": {"media_id": media["voice"]},
        "video": {"media_id": media["video"], "title": "开箱", "description": ""},
        "music": {
            "musicurl": "https://x.cn/m.mp3",
            "hqmusicurl": "https://x.cn/h.mp3",
            "thumb_media_id": media["thumb"],
        },
        "news": {"articles": [ARTICLE]},
        "mpnews": {"media_id": "PERMANENT_MEDIA_ID"},
        "mpnewsarticle": {"article_id": "ARTICLE_ID"},
        "msgmenu": {
            "head_content": "您对本次服务是否满意？",
            "list": [{"id": "101", "content": "满意"}, {"id": "102", "content": "不满意"}],
            "tail_content": "欢迎再次光临",
        },
        "wxcard": {"card_id": "CARD_ID"},
        "miniprogrampage": {
            "title": "商品",
            "appid": "wx1",
            "pagepath": "pages/index",
            "thumb_media_id": media["thumb"],
        },
    }


async def _oa_media(http: TestClient[Any, Any], token: str) -> dict[str, str]:
    names = {"image": "a.jpg", "voice": "a.amr", "video": "a.mp4", "thumb": "a.jpg"}
    found = {kind: await _upload(http, token, kind, name) for kind, name in names.items()}
    return {kind: a.get("media_id") or a["thumb_media_id"] for kind, a in found.items()}


async def test_every_oa_msgtype_is_accepted(http: TestClient[Any, Any], fake: FakeWeChat) -> None:
    token = await _oa_token(http)
    messages = _oa_messages(await _oa_media(http, token))
    for msgtype, content in messages.items():
        body = {"touser": "o-a", "msgtype": msgtype, msgtype: content}
        assert (await _custom(http, token, body))["errcode"] == 0, msgtype
    assert [s.msgtype for s in fake.sent("o-a")] == list(messages)


@pytest.mark.parametrize(
    ("msgtype", "content", "errcode"),
    [
        ("image", {}, 41006),
        ("voice", {"media_id": "never-uploaded"}, 40007),
        ("video", {"title": "x"}, 41006),
        ("music", {"musicurl": "https://x.cn/m.mp3"}, 47001),
        ("news", {"articles": []}, 44003),
        ("news", {"articles": [ARTICLE, ARTICLE]}, 45008),  # one article since 2018
        ("news", {"articles": [{"title": "x"}]}, 44003),
        ("mpnews", {}, 41006),
        ("msgmenu", {"head_content": "x", "list": []}, 47001),
        ("wxcard", {}, 47001),
        ("miniprogrampage", {"title": "x", "appid": "wx1", "pagepath": "p"}, 41006),
        ("text", "not an object", 47001),
        ("markdown", {"content": "x"}, 40008),  # WeCom only
    ],
)
async def test_oa_msgtype_errors(
    http: TestClient[Any, Any], msgtype: str, content: Any, errcode: int
) -> None:
    token = await _oa_token(http)
    body = {"touser": "o-a", "msgtype": msgtype, msgtype: content}
    assert (await _custom(http, token, body))["errcode"] == errcode


# -- WeCom message/send: recipients and msgtypes -----------------------------------------------


async def test_wecom_send_to_parties_tags_and_all(
    http: TestClient[Any, Any], fake: FakeWeChat
) -> None:
    fake.staff, fake.parties, fake.tags = {"zhangsan"}, {"2", "3"}, {"7"}
    token = await _wecom_token_value(http)
    party = await _wecom_send(http, token, {"toparty": "2|9", **WECOM_TEXT})
    assert party["errcode"] == 0 and party["invalidparty"] == "9" and party["invaliduser"] == ""
    tag = await _wecom_send(http, token, {"totag": "7", "touser": "ghost", **WECOM_TEXT})
    assert (tag["errcode"], tag["invaliduser"], tag["invalidtag"]) == (0, "ghost", "")
    everyone = await _wecom_send(http, token, {"touser": "@all", **WECOM_TEXT})
    assert everyone["errcode"] == 0 and everyone["invaliduser"] == ""
    assert (await _wecom_send(http, token, WECOM_TEXT))["errcode"] == 82001
    nobody = {"touser": "", "toparty": "", "totag": "", **WECOM_TEXT}
    assert (await _wecom_send(http, token, nobody))["errcode"] == 82001
    invalid = {"toparty": "9", "totag": "8", **WECOM_TEXT}
    assert (await _wecom_send(http, token, invalid))["errcode"] == 81013
    assert [s.touser for s in fake.sent()] == ["", "ghost", "@all"]


async def _wecom_media(http: TestClient[Any, Any], token: str) -> dict[str, str]:
    names = {"image": "a.png", "voice": "a.amr", "video": "a.mp4", "file": "a.pdf"}
    return {k: (await _upload(http, token, k, n))["media_id"] for k, n in names.items()}


def _wecom_messages(media: dict[str, str]) -> dict[str, dict[str, Any]]:
    mp_article = {"title": "新品", "thumb_media_id": media["image"], "content": "<p>详情</p>"}
    return {
        "text": {"content": "你好"},
        "image": {"media_id": media["image"]},
        "voice": {"media_id": media["voice"]},
        "video": {"media_id": media["video"], "title": "开箱"},
        "file": {"media_id": media["file"]},
        "textcard": {"title": "工单", "description": "新投诉", "url": "https://x.cn/t/1"},
        "news": {"articles": [ARTICLE] * 8},
        "mpnews": {"articles": [mp_article]},
        "markdown": {"content": "**客户投诉**：物流太慢"},
        "miniprogram_notice": {"appid": "wx1", "title": "审批"},
        "template_card": {"card_type": "text_notice"},
    }


async def test_every_wecom_msgtype_is_accepted(
    http: TestClient[Any, Any], fake: FakeWeChat
) -> None:
    token = await _wecom_token_value(http)
    messages = _wecom_messages(await _wecom_media(http, token))
    for msgtype, content in messages.items():
        body = {"touser": "zhangsan", "agentid": 1000002, "msgtype": msgtype, msgtype: content}
        assert (await _wecom_send(http, token, body))["errcode"] == 0, msgtype
    assert [s.msgtype for s in fake.sent("zhangsan")] == list(messages)


@pytest.mark.parametrize(
    ("msgtype", "content", "errcode"),
    [
        ("text", {"content": "字" * 683}, 45002),  # 2,049 bytes > 2,048
        ("markdown", {}, 44004),
        ("image", {"media_id": "never-uploaded"}, 40007),
        ("file", {}, 41006),
        ("textcard", {"title": "x", "description": "y"}, 41010),
        ("textcard", {"description": "y", "url": "u"}, 41016),
        ("news", {"articles": [ARTICLE] * 9}, 45008),
        ("news", {"articles": [{"url": "https://x.cn"}]}, 41016),
        ("mpnews", {"articles": [{"title": "x", "content": "y"}]}, 41006),
        ("miniprogram_notice", {"title": "x"}, 90200),
        ("music", {}, 40008),  # OA only
    ],
)
async def test_wecom_msgtype_errors(
    http: TestClient[Any, Any], msgtype: str, content: Any, errcode: int
) -> None:
    token = await _wecom_token_value(http)
    body = {"touser": "zhangsan", "agentid": 1000002, "msgtype": msgtype, msgtype: content}
    answer = await _wecom_send(http, token, body)
    assert answer["errcode"] == errcode and f"devtool/query?e={errcode}" in answer["errmsg"]


# -- WeCom external contacts and group-message tasks -------------------------------------------

CONTACTS = [
    {
        "external_userid": "wmA",
        "name": "李女士",
        "follow_user": [{"userid": "zhangsan", "remark": "老客户", "state": "store-12"}],
    },
    {"external_userid": "wmB", "follow_user": [{"userid": "lisi"}]},
]


async def test_externalcontact_get(http: TestClient[Any, Any]) -> None:
    assert (await _json(http, "POST", "/_fake/contacts", json=CONTACTS))["count"] == 2
    token = await _wecom_token_value(http)
    path = "/cgi-bin/externalcontact/get"
    got = await _api(http, "GET", path, token, params={"external_userid": "wmA"})
    assert (got["errcode"], got["errmsg"], got["next_cursor"]) == (0, "ok", "")
    contact = got["external_contact"]
    assert (contact["external_userid"], contact["name"], contact["type"]) == ("wmA", "李女士", 1)
    (follow,) = got["follow_user"]
    assert (follow["userid"], follow["remark"], follow["state"]) == (
        "zhangsan",
        "老客户",
        "store-12",
    )
    assert (await _api(http, "GET", path, token))["errcode"] == 41035
    unknown = await _api(http, "GET", path, token, params={"external_userid": "wmZ"})
    assert unknown["errcode"] == 84061
    malformed = await _api(http, "GET", path, token, params={"external_userid": "o-openid"})
    assert malformed["errcode"] == 40096
    oa_token = await _oa_token(http)
    refused = await _api(http, "GET", path, oa_token, params={"external_userid": "wmA"})
    assert refused["errcode"] == 40014


TASK = "/cgi-bin/externalcontact/add_msg_template"
RESULT = "/cgi-bin/externalcontact/get_groupmsg_send_result"


async def test_group_message_task_is_sent_when_confirmed(
    http: TestClient[Any, Any], fake: FakeWeChat
) -> None:
    await _json(http, "POST", "/_fake/contacts", json=CONTACTS)
    token = await _wecom_token_value(http)
    body = {"external_userid": ["wmA", "wmB"], "sender": "zhangsan", "text": {"content": "上新"}}
    task = await _api(http, "POST", TASK, token, json=body)
    assert (task["errcode"], task["fail_list"]) == (0, ["wmB"])  # wmB is lisi's customer
    query = {"msgid": task["msgid"], "userid": "zhangsan"}
    before = await _api(http, "POST", RESULT, token, json=query)
    assert before["send_list"] == [{"external_userid": "wmA", "userid": "zhangsan", "status": 0}]
    confirm = {"msgid": task["msgid"]}
    assert (await _json(http, "POST", "/_fake/groupmsg/confirm", json=confirm))["sent"] == 1
    after = await _api(http, "POST", RESULT, token, json=query)
    (item,) = after["send_list"]
    assert item["status"] == 1 and abs(item["send_time"] - fake.now()) < 5
    assert after["next_cursor"] == ""
    assert fake.sent() == []  # a task is not a message: nothing reached the send endpoints


async def test_group_message_task_pages_by_cursor(http: TestClient[Any, Any]) -> None:
    token = await _wecom_token_value(http)
    ids = [f"wm{n:03d}" for n in range(5)]
    body = {"external_userid": ids, "sender": "zhangsan", "text": {"content": "上新"}}
    msgid = (await _api(http, "POST", TASK, token, json=body))["msgid"]
    query = {"msgid": msgid, "userid": "zhangsan", "limit": 3}
    first = await _api(http, "POST", RESULT, token, json=query)
    rest = await _api(http, "POST", RESULT, token, json={**query, "cursor": first["next_cursor"]})
    seen = [i["external_userid"] for i in first["send_list"] + rest["send_list"]]
    assert seen == ids and rest["next_cursor"] == ""


async def test_add_msg_template_caps_external_userids_at_10000(http: TestClient[Any, Any]) -> None:
    token = await _wecom_token_value(http)
    text = {"sender": "zhangsan", "text": {"content": "上新"}}
    limit = await _api(
        http, "POST", TASK, token, json={"external_userid": ["wm1"] * 10_000, **text}
    )
    assert limit["errcode"] == 0
    over = await _api(http, "POST", TASK, token, json={"external_userid": ["wm1"] * 10_001, **text})
    assert over["errcode"] == 40058
    assert over["errmsg"].startswith("field `external_userid` exceed max length 10000.")


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"external_userid": ["wmA"], "sender": "zhangsan"}, 40063),  # no content
        ({"external_userid": ["wmA"], "sender": "lisi", "text": {"content": "x"}}, 41048),
        ({"external_userid": ["wmA"], "attachments": [{"msgtype": "link", "link": {}}]}, 40063),
        ({"external_userid": ["wmA"], "attachments": [{"msgtype": "bogus"}]}, 40058),
        ({"chat_type": "group", "text": {"content": "x"}}, 40063),  # group needs a sender
        ({"chat_type": "everyone", "text": {"content": "x"}}, 40058),
    ],
)
async def test_add_msg_template_errors(
    http: TestClient[Any, Any], fake: FakeWeChat, body: dict[str, Any], errcode: int
) -> None:
    fake.add_contact("wmA", "zhangsan")
    token = await _wecom_token_value(http)
    assert (await _api(http, "POST", TASK, token, json=body))["errcode"] == errcode


async def test_add_msg_template_attachments_take_uploaded_media(
    http: TestClient[Any, Any],
) -> None:
    token = await _wecom_token_value(http)
    image = (await _upload(http, token, "image", "a.png"))["media_id"]
    by_id = {"msgtype": "image", "image": {"media_id": image}}
    by_url = {"msgtype": "image", "image": {"pic_url": "https://p.qpic.cn/x/0"}}
    link = {"msgtype": "link", "link": {"title": "新品", "url": "https://x.cn/n"}}
    body = {"external_userid": ["wm1"], "sender": "zhangsan", "attachments": [by_id, by_url, link]}
    assert (await _api(http, "POST", TASK, token, json=body))["errcode"] == 0
    video = {"msgtype": "video", "video": {"media_id": image}}  # an image is not a video
    wrong = {**body, "attachments": [video]}
    assert (await _api(http, "POST", TASK, token, json=wrong))["errcode"] == 40007
    many = {**body, "attachments": [link] * 10}
    too_many = await _api(http, "POST", TASK, token, json=many)
    assert (
        too_many["errcode"] == 40058 and "`attachments` exceed max length 9" in too_many["errmsg"]
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/cgi-bin/menu/create"),
        ("GET", "/cgi-bin/menu/get"),
        ("GET", "/cgi-bin/get_current_selfmenu_info"),
        ("GET", "/cgi-bin/menu/delete"),
    ],
)
async def test_oa_paths_refuse_wecom_tokens(
    http: TestClient[Any, Any], method: str, path: str
) -> None:
    answer = await _api(http, method, path, await _wecom_token_value(http), json=MENU)
    assert answer["errcode"] == 40001 and " rid: " in answer["errmsg"]


@pytest.mark.parametrize("path", [TASK, RESULT, "/cgi-bin/externalcontact/get"])
async def test_wecom_paths_refuse_oa_tokens(http: TestClient[Any, Any], path: str) -> None:
    method = "GET" if path.endswith("/get") else "POST"
    answer = await _api(http, method, path, await _oa_token(http), json={})
    assert answer["errcode"] == 40014 and "devtool/query?e=40014" in answer["errmsg"]


async def test_media_upload_needs_a_valid_token(http: TestClient[Any, Any]) -> None:
    assert (await _upload(http, "bogus", "image"))["errcode"] == 40001


@pytest.mark.parametrize(
    ("query", "errcode"),
    [({"userid": "zhangsan"}, 41046), ({"msgid": "msgNOPE", "userid": "zhangsan"}, 41047)],
)
async def test_groupmsg_send_result_errors(
    http: TestClient[Any, Any], query: dict[str, str], errcode: int
) -> None:
    token = await _wecom_token_value(http)
    assert (await _api(http, "POST", RESULT, token, json=query))["errcode"] == errcode


async def test_groupmsg_send_result_needs_the_sender(http: TestClient[Any, Any]) -> None:
    token = await _wecom_token_value(http)
    body = {"external_userid": ["wm1"], "sender": "zhangsan", "text": {"content": "x"}}
    msgid = (await _api(http, "POST", TASK, token, json=body))["msgid"]
    answer = await _api(http, "POST", RESULT, token, json={"msgid": msgid})
    assert answer["errcode"] == 40058 and "`userid`" in answer["errmsg"]


# -- `siyu fake-wechat`, a real process -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _until_up(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(100):
        try:
            async with session.get(url + "/_fake/calls"):
                return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("siyu fake-wechat did not start")


async def test_the_cli_serves_the_fake_with_windows() -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "fake-wechat", "--port", str(port), "--windows",
        "--config", "tests/data/config.yaml",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await _until_up(session, url)
            body = {"grant_type": "client_credential", "appid": APPID, "secret": "siyu-demo-secret"}
            async with session.post(url + "/cgi-bin/stable_token", json=body) as resp:
                token = (await resp.json())["access_token"]
            send = f"{url}{CUSTOM}?access_token={token}"
            async with session.post(send, json=TEXT) as resp:
                assert (await resp.json())["errcode"] == 45015
            await session.post(url + "/_fake/inbound", json={"openid": "o-a"})
            async with session.post(send, json=TEXT) as resp:
                assert (await resp.json())["errcode"] == 0
    finally:
        process.terminate()
        await process.wait()
