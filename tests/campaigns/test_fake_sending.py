"""The fake WeChat API is faithful for sending: windows opened by inbound activity (with its
time), template messages refused to non-followers and for values WeChat refuses, WeCom
tasks with a controllable outcome, and a call log read in pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeWeChat, create_fake_app
from crm.clock import FrozenClock

CS = "/cgi-bin/message/custom/send"
TPL = "/cgi-bin/message/template/send"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
async def api(aiohttp_client, clock: FrozenClock) -> TestClient:  # type: ignore[no-untyped-def]
    fake = FakeWeChat(windows=True, clock=clock)
    return await aiohttp_client(create_fake_app(fake))


async def _token(api: TestClient) -> str:
    body = {"grant_type": "client_credential", "appid": "wx0000000000000000"}
    answer = await api.post("/cgi-bin/stable_token", json={**body, "secret": "siyu-demo-secret"})
    return str((await answer.json())["access_token"])


async def _call(api: TestClient, path: str, body: dict[str, Any]) -> int:
    answer = await api.post(path, params={"access_token": await _token(api)}, json=body)
    return int((await answer.json())["errcode"])


def _text(openid: str) -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": "您好"}}


@pytest.mark.parametrize(
    ("kind", "quota", "seconds"),
    [("message", 5, 172_000), ("follow", 3, 50), ("click", 3, 50), ("scan", 3, 50)],
)
async def test_inbound_opens_the_window_of_its_kind(
    api: TestClient, clock: FrozenClock, kind: str, quota: int, seconds: float
) -> None:
    at = clock.now().timestamp() - seconds
    await api.post("/_fake/inbound", json={"openid": "o-a", "kind": kind, "at": at})
    codes = [await _call(api, CS, _text("o-a")) for _ in range(quota + 1)]
    assert codes == [0] * quota + [45047]
    clock.advance(3600 * 48)
    assert await _call(api, CS, _text("o-a")) == 45015


async def test_an_old_inbound_opens_nothing(api: TestClient, clock: FrozenClock) -> None:
    at = clock.now().timestamp() - 61
    await api.post("/_fake/inbound", json={"openid": "o-a", "kind": "scan", "at": at})
    assert await _call(api, CS, _text("o-a")) == 45015


def _template(openid: str, value: str) -> dict[str, Any]:
    return {"touser": openid, "template_id": "t1", "data": {"thing1": {"value": value}}}


@pytest.mark.parametrize(
    ("value", "errcode"),
    [("二十个字以内", 0), ("字" * 20, 0), ("字" * 21, 47001), ("两行\n文字", 47001)],
)
async def test_template_values(api: TestClient, value: str, errcode: int) -> None:
    assert await _call(api, TPL, _template("o-a", value)) == errcode


async def test_template_to_a_non_follower(api: TestClient) -> None:
    await api.post("/_fake/users", json={"openid": "o-gone", "subscribe": 0})
    assert await _call(api, TPL, _template("o-gone", "您好")) == 43004


async def test_task_outcome_is_controlled(api: TestClient) -> None:
    await api.post(
        "/_fake/contacts", json=[{"external_userid": "wm-a", "follow_user": [{"userid": "k1"}]}]
    )
    token = (
        await (
            await api.get(
                "/cgi-bin/gettoken",
                params={"corpid": "ww0000000000000000", "corpsecret": "siyu-demo-secret"},
            )
        ).json()
    )["access_token"]
    q = {"access_token": token}
    body = {"external_userid": ["wm-a"], "sender": "k1", "text": {"content": "会员日"}}
    task = await (
        await api.post("/cgi-bin/externalcontact/add_msg_template", params=q, json=body)
    ).json()
    confirm = {"msgid": task["msgid"], "userid": "k1", "status": 2}
    assert (await (await api.post("/_fake/groupmsg/confirm", json=confirm)).json())["sent"] == 1
    result = await api.post(
        "/cgi-bin/externalcontact/get_groupmsg_send_result", params=q,
        json={"msgid": task["msgid"], "userid": "k1"},
    )  # fmt: skip
    assert [i["status"] for i in (await result.json())["send_list"]] == [2]


async def test_the_call_log_in_pages(api: TestClient) -> None:
    for index in range(7):
        await _call(api, TPL, _template(f"o-{index}", "您好"))
    seen, since = [], 0
    while True:
        page = await (
            await api.get("/_fake/calls", params={"path": TPL, "since": since, "limit": 3})
        ).json()
        seen += [c["body"]["touser"] for c in page["calls"]]
        assert page["total"] == 7
        if page["next"] == since:
            break
        since = page["next"]
    assert seen == [f"o-{i}" for i in range(7)]
