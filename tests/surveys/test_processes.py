"""Two real `siyu serve` processes sharing PostgreSQL and Redis take alternate messages of one
survey, sent by a real `siyu survey send`: the chat state in Redis is the only link between
them. PostgreSQL in both passes (see tests/webhooks/live.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.wechat.simulator import text_xml
from crm.database import close_database, open_database
from crm.models import Customer, ResponseStatus, SurveyAnswer, SurveyResponse
from tests.surveys.support import NPS_SURVEY
from tests.webhooks import live


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[live.Process, ...]]:
    database_url, redis_url = live.postgres_and_redis()
    live.fresh_schema(database_url)
    logs = tmp_path_factory.mktemp("survey_processes")
    fake = live.start_fake(live.serve_env(database_url, redis_url, "http://127.0.0.1:9"), logs)
    env = live.serve_env(database_url, redis_url, fake.url)
    a, b = live.start_serve("serve-a", env, logs), live.start_serve("serve-b", env, logs)
    try:
        live.wait_ready([fake, a, b], "/")
        yield a, b, fake
    finally:
        for process in (a, b, fake):
            process.stop()


@pytest.fixture
async def db() -> AsyncIterator[None]:
    await open_database(live.PROCESS_DATABASE_URL)
    yield
    await close_database()


def siyu(env: dict[str, str], *args: str) -> dict[str, object]:
    command = [sys.executable, "-c", "from bot.cli import main; main()", *args]
    done = subprocess.run(command, cwd=live.ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    result: dict[str, object] = json.loads(done.stdout)
    return result


async def say(session: aiohttp.ClientSession, process: live.Process, openid: str, text: str) -> str:
    oa = live.oa_simulator()
    request = oa.oa_safe(text_xml(openid, oa.receiver, text), openid=openid)
    status, body = await live.post(session, process, "/wechat/oa", request)
    assert status == 200, process.log_tail()
    reply = oa.read_reply(body)
    assert reply is not None, process.log_tail()
    return str(reply["Content"])


async def test_two_processes_take_alternate_answers_of_one_survey(
    servers: tuple[live.Process, ...], db: None, tmp_path: Path
) -> None:
    a, b, fake = servers
    openid = "o_proc_survey"
    env = live.serve_env(live.PROCESS_DATABASE_URL, live.TEST_REDIS_URL, fake.url)
    definition = tmp_path / "survey.json"
    definition.write_text(json.dumps(NPS_SURVEY, ensure_ascii=False), encoding="utf-8")
    survey = siyu(env, "survey", "create", str(definition))
    async with aiohttp.ClientSession() as session:
        await say(session, a, openid, "你好")  # A records the customer (the test inserts no rows:
    someone = await Customer.get(openid=openid)  # the ORM's insert SQL is cached per dialect)
    assert siyu(env, "survey", "send", str(survey["id"]), "--openid", openid)["sent"] == 1
    async with aiohttp.ClientSession() as session:
        assert "请回复 0–10" in await say(session, a, openid, "还不错")
        assert "第 2/5 题" in await say(session, b, openid, "８")
        assert "第 3/5 题" in await say(session, a, openid, "满意")
        assert "第 4/5 题" in await say(session, b, openid, "2")
        assert "第 5/5 题" in await say(session, a, openid, "物流 客服")
        assert await say(session, b, openid, "没有了") == NPS_SURVEY["thanks"]
    response = await SurveyResponse.get(customer_id=someone.id)
    assert response.status is ResponseStatus.COMPLETED
    assert await SurveyAnswer.filter(response_id=response.id).count() == 5
