"""The real client against the fake WeChat API: tokens, retries, errors, payloads."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.store import MemoryStore, RedisStore, Store
from bot.wechat.client import WeChatClients, open_clients
from bot.wechat.errors import WeChatAPIError, WeChatUnavailable
from bot.wechat.fake import FakeWeChat, create_fake_app
from bot.wechat.transport import Transport

from .support import (
    OA_SECRET,
    WECOM_SECRET,
    ServerFactory,
    app_answering,
    oa_settings,
    wecom_settings,
)

CUSTOM = "/cgi-bin/message/custom/send"
STABLE = "/cgi-bin/stable_token"


async def test_token_is_cached_across_sends(clients: WeChatClients, fake: FakeWeChat) -> None:
    for n in range(5):
        await clients.oa.send_text("o-alice", f"第{n}条")
    assert len(fake.calls_to(STABLE)) == 1
    assert fake.sent_texts("o-alice") == [f"第{n}条" for n in range(5)]


async def test_concurrent_first_use_fetches_once(clients: WeChatClients, fake: FakeWeChat) -> None:
    await asyncio.gather(*(clients.oa.send_text(f"o-{n}", "hi") for n in range(20)))
    assert len(fake.calls_to(STABLE)) == 1
    assert len(fake.sent_texts()) == 20


async def _shared_store_sends(fake_url: str, store: Store, fake: FakeWeChat) -> None:
    """Two 'processes' (own sessions and caches) sharing one store fetch one token."""
    pair = [await open_clients(oa_settings(fake_url), wecom_settings(fake_url), store)]
    pair.append(await open_clients(oa_settings(fake_url), wecom_settings(fake_url), store))
    try:
        await asyncio.gather(*(c.oa.send_text("o-a", "hi") for c in pair for _ in range(5)))
    finally:
        for opened in pair:
            await opened.close()
    assert len(fake.calls_to(STABLE)) == 1


async def test_processes_sharing_a_memory_store_fetch_once(fake_url: str, fake: FakeWeChat) -> None:
    await _shared_store_sends(fake_url, MemoryStore(), fake)


async def test_processes_sharing_redis_fetch_once(
    fake_url: str, fake: FakeWeChat, redis_url: str
) -> None:
    store = RedisStore(redis_url)
    try:
        await _shared_store_sends(fake_url, store, fake)
        assert await store.get("wechat:token:oa:wx0000000000000000")
    finally:
        await store.close()


async def test_expired_token_is_refreshed_and_the_call_retried_once(
    clients: WeChatClients, fake: FakeWeChat
) -> None:
    await clients.oa.send_text("o-a", "one")
    fake.expire_tokens()
    await clients.oa.send_text("o-a", "two")
    assert [c.errcode for c in fake.calls_to(CUSTOM)] == [0, 42001, 0]
    assert len(fake.calls_to(STABLE)) == 2
    assert fake.sent_texts() == ["one", "two"]


async def test_concurrent_expiry_refreshes_once(clients: WeChatClients, fake: FakeWeChat) -> None:
    await clients.oa.send_text("o-a", "warm up")
    fake.expire_tokens()
    await asyncio.gather(*(clients.oa.send_text(f"o-{n}", "hi") for n in range(10)))
    assert len(fake.calls_to(STABLE)) == 2
    assert len(fake.sent_texts()) == 11


async def test_rejected_current_token_forces_a_stable_token_refresh(
    clients: WeChatClients, fake: FakeWeChat
) -> None:
    await clients.oa.send_text("o-a", "one")
    fake.fail_next(CUSTOM, 40001)
    await clients.oa.send_text("o-a", "two")
    forced = [c.body["force_refresh"] for c in fake.calls_to(STABLE)]
    assert forced == [False, False, True]
    assert [c.errcode for c in fake.calls_to(CUSTOM)] == [0, 40001, 0]


async def test_second_token_failure_surfaces(clients: WeChatClients, fake: FakeWeChat) -> None:
    fake.fail_next(CUSTOM, 42001, times=2)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_text("o-a", "hi")
    assert caught.value.errcode == 42001
    assert len(fake.calls_to(CUSTOM)) == 2
    assert fake.sent_texts() == []


async def test_outside_window_is_final(clients: WeChatClients, fake: FakeWeChat) -> None:
    fake.fail_next(CUSTOM, 45015)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_text("o-a", "hi")
    error = caught.value
    assert (error.errcode, error.final, error.retryable, error.window_closed) == (
        45015,
        True,
        False,
        True,
    )
    assert "response out of time limit" in error.errmsg
    assert len(fake.calls_to(CUSTOM)) == 1


@pytest.mark.parametrize(
    ("errcode", "final", "window_closed"),
    [
        (45047, True, True),  # window quota spent: a template, not a retry
        (43004, True, False),  # not following
        (48001, True, False),  # API not authorised
        (40003, True, False),  # invalid openid
        (47001, True, False),  # a bad request stays bad
        (-1, False, False),  # busy: retry with backoff
        (45011, False, False),  # per-minute limit
        (45009, False, False),  # daily quota
    ],
)
async def test_final_codes(
    clients: WeChatClients, fake: FakeWeChat, errcode: int, final: bool, window_closed: bool
) -> None:
    """Final codes are final and never retried by the client; the others are retryable."""
    fake.fail_next(CUSTOM, errcode)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_text("o-a", "hi")
    error = caught.value
    assert (error.errcode, error.final, error.retryable) == (errcode, final, not final)
    assert error.window_closed is window_closed
    assert len(fake.calls_to(CUSTOM)) == 1  # sent once: only token errors are retried inside


def test_unknown_codes_are_final() -> None:
    """Retrying a code nobody classified could spam a customer."""
    error = WeChatAPIError(61451, "invalid parameter", CUSTOM)
    assert error.final and not error.retryable and error.retry_after is None


@pytest.mark.parametrize(("errcode", "after"), [(-1, 1.0), (45011, 60.0), (45009, 3600.0)])
async def test_busy_and_rate_limits_are_retryable(
    clients: WeChatClients, fake: FakeWeChat, errcode: int, after: float
) -> None:
    fake.fail_next(CUSTOM, errcode)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_text("o-a", "hi")
    assert caught.value.retryable and not caught.value.final
    assert caught.value.retry_after == after
    await clients.oa.send_text("o-a", "hi")  # the failure was injected once


async def test_unknown_openid(clients: WeChatClients) -> None:
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.user_info("o-nobody")
    assert caught.value.errcode == 40003 and caught.value.final


async def test_user_info(clients: WeChatClients, fake: FakeWeChat) -> None:
    fake.add_follower("o-bob", unionid="u-bob", tagid_list=[2, 5], qr_scene_str="store-12")
    info = await clients.oa.user_info("o-bob")
    assert info.following and info.unionid == "u-bob" and info.tagid_list == [2, 5]
    assert info.qr_scene_str == "store-12"
    assert fake.calls_to("/cgi-bin/user/info")[0].query["lang"] == "zh_CN"


async def test_template_message(clients: WeChatClients, fake: FakeWeChat) -> None:
    msgid = await clients.oa.send_template("o-a", "TPL1", {"thing1": "生日礼券", "time2": "今天"})
    assert msgid > 0
    body = fake.calls_to("/cgi-bin/message/template/send")[0].body
    assert body == {
        "touser": "o-a",
        "template_id": "TPL1",
        "data": {"thing1": {"value": "生日礼券"}, "time2": {"value": "今天"}},
    }


async def test_template_to_unfollowed_user(clients: WeChatClients, fake: FakeWeChat) -> None:
    fake.add_follower("o-gone", subscribe=0)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_template("o-gone", "TPL1", {"thing1": "x"}, url="https://x.cn")
    assert caught.value.errcode == 43004


async def test_chinese_content_arrives_unescaped(clients: WeChatClients, fake: FakeWeChat) -> None:
    await clients.oa.send_text("o-a", "生日快乐！🎂")
    await clients.wecom.send_text("zhangsan", "客户投诉：物流太慢")
    raws = [c.raw for c in fake.calls if c.path in (CUSTOM, "/cgi-bin/message/send")]
    assert "生日快乐！🎂" in raws[0] and "客户投诉：物流太慢" in raws[1]
    assert all("\\u" not in raw for raw in raws)


async def test_wecom_send_text(clients: WeChatClients, fake: FakeWeChat) -> None:
    fake.staff = {"zhangsan"}
    result = await clients.wecom.send_text("zhangsan|ghost", "新客户")
    assert result.invalid_users == ["ghost"]
    body = fake.calls_to("/cgi-bin/message/send")[0].body
    assert body["agentid"] == 1000002 and body["msgtype"] == "text"
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 1


async def test_wecom_expired_token_is_refreshed(clients: WeChatClients, fake: FakeWeChat) -> None:
    await clients.wecom.send_text("zhangsan", "one")
    fake.expire_tokens()
    await clients.wecom.send_text("zhangsan", "two")
    assert len(fake.calls_to("/cgi-bin/gettoken")) == 2
    assert fake.sent_texts("zhangsan") == ["one", "two"]


async def test_welcome_message_works_once(clients: WeChatClients, fake: FakeWeChat) -> None:
    await clients.wecom.send_welcome_msg("WELCOME-1", "欢迎！")
    with pytest.raises(WeChatAPIError) as caught:
        await clients.wecom.send_welcome_msg("WELCOME-1", "欢迎！")
    assert caught.value.errcode == 41051
    body = fake.calls_to("/cgi-bin/externalcontact/send_welcome_msg")[0].body
    assert body == {"welcome_code": "WELCOME-1", "text": {"content": "欢迎！"}}


def _our_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Every log line except the test server's access log (that is aiohttp's, not ours:
    `siyu fake-wechat` turns it off)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")


async def test_wrong_secrets_are_final_and_never_shown(
    fake_url: str, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    oa = oa_settings(fake_url, app_secret="wrong-oa-secret")
    wecom = wecom_settings(fake_url, secret="wrong-wecom-secret")
    opened = await open_clients(oa, wecom, store)
    try:
        with pytest.raises(WeChatAPIError) as oa_error:
            await opened.oa.send_text("o-a", "hi")
        with pytest.raises(WeChatAPIError) as wecom_error:
            await opened.wecom.send_text("zhangsan", "hi")
    finally:
        await opened.close()
    assert oa_error.value.errcode == 40125 and oa_error.value.final
    assert wecom_error.value.errcode == 40001 and wecom_error.value.final
    shown = _our_logs(caplog) + str(oa_error.value) + str(wecom_error.value) + repr(oa)
    assert "wrong-oa-secret" not in shown and "wrong-wecom-secret" not in shown


async def test_secrets_and_tokens_never_logged(
    clients: WeChatClients, fake: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.log_calls = True
    await clients.oa.send_text("o-a", "hi")
    await clients.wecom.send_text("zhangsan", "hi")
    fake.fail_next(CUSTOM, 40001, times=2)
    with pytest.raises(WeChatAPIError) as caught:
        await clients.oa.send_text("o-a", "hi")
    tokens = {c.query["access_token"] for c in fake.calls if "access_token" in c.query}
    shown = _our_logs(caplog) + str(caught.value) + repr(caught.value)
    shown += str([c.masked() for c in fake.calls])
    for secret in (OA_SECRET, WECOM_SECRET, *tokens):
        assert secret not in shown


async def test_unreachable_server_is_unavailable(store: MemoryStore) -> None:
    url = "http://127.0.0.1:9"  # discard port: nothing listens
    opened = await open_clients(oa_settings(url), wecom_settings(url), store)
    try:
        with pytest.raises(WeChatUnavailable) as caught:
            await opened.wecom.send_text("zhangsan", "hi")
    finally:
        await opened.close()
    assert caught.value.retryable and not caught.value.maybe_sent
    assert WECOM_SECRET not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize(("status", "text"), [(200, "<html>busy</html>"), (502, "bad gateway")])
async def test_broken_answers_are_unavailable(
    aiohttp_server: ServerFactory, store: MemoryStore, status: int, text: str
) -> None:
    server = await aiohttp_server(app_answering(status, text))
    url = str(server.make_url(""))
    opened = await open_clients(oa_settings(url), wecom_settings(url), store)
    try:
        with pytest.raises(WeChatUnavailable):
            await opened.oa.send_text("o-a", "hi")
    finally:
        await opened.close()


async def test_timeout_is_unavailable(aiohttp_server: ServerFactory) -> None:
    async def slow(request: aiohttp.web.Request) -> aiohttp.web.Response:
        await asyncio.sleep(2)
        return aiohttp.web.json_response({})

    app = aiohttp.web.Application()
    app.router.add_get("/cgi-bin/gettoken", slow)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        transport = Transport(session, str(server.make_url("")))
        with pytest.raises(WeChatUnavailable) as caught:
            await transport.call("GET", "/cgi-bin/gettoken", params={"corpsecret": "xyz"})
    assert caught.value.reason == "timeout" and caught.value.maybe_sent


async def test_fake_app_can_run_in_process(aiohttp_server: ServerFactory) -> None:
    fake = FakeWeChat()
    server = await aiohttp_server(create_fake_app(fake))
    url = str(server.make_url(""))
    from bot.config import OfficialAccountSettings, WeComSettings

    opened = await open_clients(
        OfficialAccountSettings(api_base_url=url), WeComSettings(api_base_url=url), MemoryStore()
    )
    try:
        await opened.oa.send_text("o-a", "默认配置")
    finally:
        await opened.close()
    assert fake.sent_texts() == ["默认配置"]


async def test_a_token_held_in_process_yields_to_another_process_refresh(
    fake_url: str, fake: FakeWeChat
) -> None:
    """Each process holds the token a short while without asking the store; when another
    process has replaced it, the first rejection takes the store's new one — no extra fetch."""
    store = MemoryStore()
    first = await open_clients(oa_settings(fake_url), wecom_settings(fake_url), store)
    second = await open_clients(oa_settings(fake_url), wecom_settings(fake_url), store)
    try:
        await first.oa.send_text("o-a", "one")
        fake.fail_next(CUSTOM, 40001)
        await second.oa.send_text("o-a", "two")  # second forces a new token into the store
        fetched = len(fake.calls_to(STABLE))
        await first.oa.send_text("o-a", "three")  # the token it holds was replaced: rejected
        await second.oa.send_text("o-a", "four")
        assert len(fake.calls_to(STABLE)) == fetched  # first took second's token from the store
        tokens = [c.query["access_token"] for c in fake.calls_to(CUSTOM)]
        assert tokens[0] == tokens[1] == tokens[3] != tokens[2] == tokens[4] == tokens[5]
    finally:
        for opened in (first, second):
            await opened.close()
    assert fake.sent_texts() == ["one", "two", "three", "four"]
