"""Two real `siyu serve` processes behind one load balancer, sharing PostgreSQL and Redis:
what one process changes, the other must not contradict from a cache of its own.

(tests/webhooks/test_shared_store.py runs two apps in one interpreter: they share every
module-level cache, so they cannot show this.) PostgreSQL pass only: see live.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.wechat.simulator import Simulator, event_xml, text_xml
from crm.database import close_database, open_database
from crm.models import Customer, Interaction, Role, Staff
from tests.webhooks import live

OPTED_OUT = "已为您退订营销消息，之后不会再打扰您。如想重新接收，回复「恢复订阅」即可。"
OPTED_IN = "已为您恢复订阅，感谢您的支持！"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[live.Process, ...]]:
    """Started once for the module (start-up is the slow part): A and B, and the fake API."""
    database_url, redis_url = live.postgres_and_redis()
    live.fresh_schema(database_url)
    logs = tmp_path_factory.mktemp("processes")
    fake_env = live.serve_env(database_url, redis_url, "http://127.0.0.1:9")
    fake = live.start_fake(fake_env, logs)
    env = live.serve_env(database_url, redis_url, fake.url)
    a, b = live.start_serve("serve-a", env, logs), live.start_serve("serve-b", env, logs)
    try:
        live.wait_ready([fake, a, b], "/")
        yield a, b
    finally:
        for process in (a, b, fake):
            process.stop()


@pytest.fixture
async def db() -> AsyncIterator[None]:
    """The test's own connection to the servers' database, to look at what they wrote."""
    await open_database(live.PROCESS_DATABASE_URL)
    yield
    await close_database()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def say(
    session: aiohttp.ClientSession, process: live.Process, openid: str, text: str
) -> str | None:
    oa = live.oa_simulator()
    request = oa.oa_safe(text_xml(openid, oa.receiver, text), openid=openid)
    status, body = await live.post(session, process, "/wechat/oa", request)
    assert status == 200, process.log_tail()
    reply = oa.read_reply(body)
    return None if reply is None else str(reply["Content"])


async def opted_out(openid: str) -> bool:
    customer = await Customer.get(openid=openid)
    assert (customer.opted_out_at is not None) is customer.opted_out
    return customer.opted_out


async def test_opt_out_and_back_across_processes(
    servers: tuple[live.Process, ...], db: None, session: aiohttp.ClientSession
) -> None:
    a, b = servers
    openid = "o_proc_optout"
    assert await say(session, a, openid, "你好") is not None  # A now knows the customer
    assert await say(session, b, openid, "退订") == OPTED_OUT
    assert await opted_out(openid) is True
    # A's copy of the customer says "not opted out"; the database says opted out.
    assert await say(session, a, openid, "恢复订阅") == OPTED_IN
    assert await opted_out(openid) is False
    # B's copy says "opted out" (it did that itself); the database says not.
    assert await say(session, b, openid, "退订") == OPTED_OUT
    assert await opted_out(openid) is True
    assert await say(session, a, openid, "恢复订阅") == OPTED_IN
    assert await opted_out(openid) is False
    assert await say(session, a, openid, "退订") == OPTED_OUT
    assert await opted_out(openid) is True


async def test_subscription_events_across_processes(
    servers: tuple[live.Process, ...], db: None, session: aiohttp.ClientSession
) -> None:
    a, b = servers
    openid, oa = "o_proc_follow", live.oa_simulator()

    async def event(process: live.Process, name: str, key: str = "") -> None:
        request = oa.oa_safe(event_xml(openid, oa.receiver, name, key), openid=openid)
        status, _ = await live.post(session, process, "/wechat/oa", request)
        assert status == 200, process.log_tail()

    assert await say(session, a, openid, "你好") is not None  # A: no source, not following
    await event(b, "subscribe", "qrscene_poster")
    await event(b, "unsubscribe")
    customer = await Customer.get(openid=openid)
    assert (customer.subscribed, customer.source_detail) == (False, "poster")
    await event(a, "subscribe", "qrscene_flyer")  # came back through another poster
    customer = await Customer.get(openid=openid)
    assert (customer.subscribed, customer.unsubscribed_at) == (True, None)
    assert customer.source_detail == "poster"  # the first source stays


async def whoami(session: aiohttp.ClientSession, process: live.Process, userid: str) -> str:
    wecom: Simulator = live.wecom_simulator()
    request = wecom.wecom(text_xml(userid, wecom.receiver, "/whoami"))
    status, body = await live.post(session, process, "/wechat/wecom", request)
    assert status == 200, process.log_tail()
    reply = wecom.read_reply(body)
    assert reply is not None
    return str(reply["Content"])


async def test_a_demoted_admin_is_demoted_in_every_process(
    servers: tuple[live.Process, ...], db: None, session: aiohttp.ClientSession
) -> None:
    a, b = servers
    assert "角色：管理员" in await whoami(session, a, "boss")  # staff_admins in the config
    assert "角色：管理员" in await whoami(session, b, "boss")
    assert await Staff.filter(userid="boss").update(role=Role.OPERATOR) == 1
    assert "角色：运营" in await whoami(session, a, "boss")
    assert "角色：运营" in await whoami(session, b, "boss")


async def test_one_message_delivered_to_both_processes_is_recorded_once(
    servers: tuple[live.Process, ...], db: None, session: aiohttp.ClientSession
) -> None:
    a, b = servers
    oa = live.oa_simulator()
    request = oa.oa_safe(text_xml("o_proc_retry", oa.receiver, "营业时间", 9101), "o_proc_retry")
    answers = await asyncio.gather(
        *(live.post(session, p, "/wechat/oa", request) for p in (a, b, a, b))
    )
    replies = [oa.read_reply(body) for status, body in answers if status == 200]
    assert len(replies) == 4
    assert {str(r["Content"]) for r in replies if r is not None} == {"每天 9:00–21:00 营业。"}
    assert None not in replies
    assert await Interaction.filter(dedupe_key__startswith="msg:9101").count() == 2  # in + reply
