"""A tag deleted through the admin API of one `siyu serve` process is never applied by a dead
id in another: process B tags a customer from a keyword, the tag is deleted through process
A's API, and B's next keyword hits tag customers again under a live tag. PostgreSQL in both
passes (tests/webhooks/live.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.wechat.simulator import text_xml
from crm.database import close_database, open_database
from crm.models import Customer, CustomerTag, Tag
from tests.webhooks import live

TAG = "关注物流"  # nlp/defaults.py: the keyword 快递 gives it


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[live.Process, ...]]:
    with live.serving_pair(tmp_path_factory.mktemp("tags"), SIYU_NLP__ENABLED="true") as three:
        yield three


@pytest.fixture
async def db() -> AsyncIterator[None]:
    await open_database(live.PROCESS_DATABASE_URL)
    yield
    await close_database()


def admin_token(fake: live.Process) -> str:
    """Made by the CLI: the test process inserts no rows (the ORM caches insert SQL)."""
    env = live.serve_env(live.PROCESS_DATABASE_URL, live.TEST_REDIS_URL, fake.url)
    command = [sys.executable, "-c", "from bot.cli import main; main()",
               "admin", "create-token", "--name", "tag-test", "--role", "admin"]  # fmt: skip
    done = subprocess.run(command, cwd=live.ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().strip().splitlines()[-1]


async def tell(
    session: aiohttp.ClientSession, process: live.Process, openid: str, text: str
) -> None:
    oa = live.oa_simulator()
    request = oa.oa_safe(text_xml(openid, oa.receiver, text), openid=openid)
    status, _ = await live.post(session, process, "/wechat/oa", request)
    assert status == 200, process.log_tail()


async def tagged(openid: str, process: live.Process) -> int:
    """The id of the live tag TAG the customer carries (waits for the write)."""
    for _ in range(100):
        customer = await Customer.get_or_none(openid=openid)
        tag = await Tag.get_or_none(name=TAG)
        if customer and tag and await CustomerTag.exists(customer_id=customer.id, tag_id=tag.id):
            return tag.id
        await asyncio.sleep(0.1)
    pytest.fail(f"{openid} not tagged {TAG}\n{process.log_tail()}")


async def test_a_tag_deleted_in_one_process_is_not_applied_dead_in_another(
    servers: tuple[live.Process, ...], db: None
) -> None:
    a, b, fake = servers
    headers = {"Authorization": f"Bearer {admin_token(fake)}"}
    async with aiohttp.ClientSession() as session:
        await tell(session, b, "o_tag_1", "请问我的快递到哪了")
        first = await tagged("o_tag_1", b)
        async with session.delete(f"{a.url}/api/v1/tags/{first}", headers=headers) as resp:
            assert resp.status == 204, await resp.text()
        assert not await Tag.exists(id=first)
        await tell(session, b, "o_tag_2", "快递什么时候能到")
        second = await tagged("o_tag_2", b)
        await tell(session, b, "o_tag_1", "快递还没有到")
        assert await tagged("o_tag_1", b) == second != first
    assert "Traceback" not in b.log_tail()
