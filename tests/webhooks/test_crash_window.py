"""A process killed while its handler runs (the message committed, no outcome recorded yet):
WeChat's retry reaches another process, which must take over the dead owner's claim and run
the handler, not answer from a reply that was never recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from bot.webhooks.dedupe import PENDING
from bot.wechat.fake import create_fake_app
from bot.wechat.fake_state import FakeOAApp, FakeWeChat, FakeWeComApp
from crm.database import close_database, open_database
from crm.models import Customer, Interaction
from tests.webhooks import live

WELCOME = "/cgi-bin/externalcontact/send_welcome_msg"
EXTERNAL = "wm_proc_crash"


class Gate:
    """Holds the first welcome call inside the fake API until the test lets it go."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.held = False

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path == WELCOME and not self.held:
            self.held = True
            self.entered.set()
            await self.release.wait()
            return web.json_response({"errcode": -1, "errmsg": "system error"})
        return await handler(request)


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def fake() -> FakeWeChat:
    return FakeWeChat(
        [FakeOAApp(live.OA_APP_ID, "proc-oa-app-secret")],
        [FakeWeComApp(live.WECOM_CORP_ID, "proc-wecom-secret", 1000002)],
    )


@pytest.fixture
async def fake_url(aiohttp_server, fake: FakeWeChat, gate: Gate) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    app = create_fake_app(fake)
    app.middlewares.append(gate.middleware)
    server = await aiohttp_server(app)
    yield str(server.make_url("")).rstrip("/")
    gate.release.set()  # the held call's caller is dead; let the fake shut down


@pytest.fixture
def servers(fake_url: str, tmp_path: Path) -> Iterator[tuple[live.Process, live.Process]]:
    database_url, redis_url = live.postgres_and_redis()
    live.fresh_schema(database_url)
    # A budget near WeChat's 5 s: the kill must land before the first attempt answers.
    env = live.serve_env(database_url, redis_url, fake_url, SIYU_SERVER__REPLY_BUDGET_SECONDS="4.5")
    a, b = live.start_serve("serve-a", env, tmp_path), live.start_serve("serve-b", env, tmp_path)
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def contact_added(created: int) -> str:
    """A staff member added the contact; the welcome code lets siyu greet them once."""
    return (
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>"
        f"<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[{EXTERNAL}]]></ExternalUserID>"
        "<WelcomeCode><![CDATA[CODE-CRASH]]></WelcomeCode></xml>"
    )


async def test_a_retry_after_a_crash_inside_the_handler_runs_it(
    servers: tuple[live.Process, live.Process], gate: Gate, fake: FakeWeChat
) -> None:
    a, b = servers
    await asyncio.to_thread(live.wait_ready, [a, b])
    wecom = live.wecom_simulator()
    request = wecom.wecom(contact_added(1_700_000_123))
    store = aioredis.Redis.from_url(live.TEST_REDIS_URL, decode_responses=True)
    await open_database(live.PROCESS_DATABASE_URL)
    try:
        async with aiohttp.ClientSession() as session:
            first = asyncio.create_task(live.post(session, a, "/wechat/wecom", request))
            await asyncio.wait_for(gate.entered.wait(), 30)  # A is inside the handler
            a.kill()
            with pytest.raises(aiohttp.ClientError):
                await first
            # The window: the event is committed, its outcome is not.
            assert await Interaction.all().values_list("direction", flat=True) == ["in"]
            [key] = [k for k in await store.keys("*") if await store.get(k) == PENDING]
            # The dead owner's claim: skip to its lease's last moments (it lasts 8 s) rather
            # than sleep them out. The retry finds it held and must take it over as it lapses.
            await store.pexpire(key, 300)
            status, body = await live.post(session, b, "/wechat/wecom", request)
        assert status == 200 and body == b"success", b.log_tail()
        welcomes = [c for c in fake.calls if c.path == WELCOME]
        assert [(c.errcode, c.body["welcome_code"]) for c in welcomes] == [(0, "CODE-CRASH")]
        customer = await Customer.get(external_userid=EXTERNAL)
        assert customer.follow_user == "zhangsan"
        kinds = sorted(await Interaction.all().values_list("kind", flat=True))
        assert kinds == ["event:change_external_contact", "reply:none", "welcome:text"]
    finally:
        await store.aclose()
        await close_database()
