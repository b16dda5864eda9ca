"""The fake WeChat API at the HTTP level: shapes and error codes as WeChat answers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeWeChat, create_fake_app

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


def test_sent_texts_in_process(fake: FakeWeChat) -> None:
    assert fake.sent_texts() == []
    fake.fail_next("/p", 45047, times=2)
    assert [fake.take_failure("/p") for _ in range(3)] == [45047, 45047, None]
