"""`siyu survey create|send|results` as an operator runs them: JSON on stdout, the database
and Redis the server uses, the fake WeChat API (in a thread of its own) receiving the push."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from aiohttp import web
from tortoise.exceptions import DBConnectionError
from typer.testing import CliRunner

from bot.cli import app
from bot.wechat.fake import FakeWeChat, create_fake_app
from crm.database import close_database, migrate, open_database
from crm.models import Campaign, CampaignDelivery, Customer, Segment
from tests.conftest import TEST_CONFIG, TEST_DATABASE_URL, _reset_postgres, unavailable
from tests.support.redis_server import free_port
from tests.surveys.support import NPS_SURVEY

runner = CliRunner()
T = TypeVar("T")


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated, empty database the commands open themselves (both databases)."""
    url = f"sqlite://{tmp_path}/cli.sqlite3" if TEST_DATABASE_URL == "sqlite" else TEST_DATABASE_URL
    try:
        asyncio.run(_reset(url))
    except (OSError, DBConnectionError) as exc:
        unavailable("PostgreSQL", exc)
    monkeypatch.setenv("SIYU_DATABASE_URL", url)
    return url


async def _reset(url: str) -> None:
    if url.startswith("sqlite"):
        await migrate(url)
        await close_database()
    else:
        await _reset_postgres(url)


def in_db(url: str, work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await open_database(url)
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(run())


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChat]:
    """The fake WeChat API served from its own thread and loop (the CLI runs its own)."""
    fake, loop, port = FakeWeChat(), asyncio.new_event_loop(), free_port()
    site_runner = web.AppRunner(create_fake_app(fake))
    ready = threading.Event()

    def serve() -> None:
        loop.run_until_complete(site_runner.setup())
        loop.run_until_complete(web.TCPSite(site_runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    monkeypatch.setenv("SIYU_WECHAT__OA__API_BASE_URL", f"http://127.0.0.1:{port}")
    yield fake
    asyncio.run_coroutine_threadsafe(site_runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def cli_env(
    cli_db: str,
    fake_api: FakeWeChat,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    monkeypatch.setenv("SIYU_CONFIG", str(TEST_CONFIG))
    monkeypatch.setenv("SIYU_REDIS_URL", redis_url)
    return cli_db


def siyu(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_create_send_and_results(
    cli_env: str, fake_api: FakeWeChat, redis_url: str, tmp_path: Path
) -> None:
    definition = tmp_path / "survey.json"
    definition.write_text(json.dumps(NPS_SURVEY, ensure_ascii=False), encoding="utf-8")
    created = siyu("survey", "create", str(definition))
    assert created["id"] >= 1 and [q["type"] for q in created["questions"]][:2] == ["nps", "csat"]
    in_db(cli_env, lambda: Customer.create(openid="oCli001", subscribed=True))
    sent = siyu("survey", "send", str(created["id"]), "--openid", "oCli001")
    assert sent == {"survey": created["id"], "sent": 1, "skipped": [], "failed": []}
    assert fake_api.sent_texts("oCli001")[0].startswith(NPS_SURVEY["intro"])
    state = json.loads(redis.Redis.from_url(redis_url).get("siyu:chat:oa:oCli001") or "{}")
    assert state["flow"] == "survey" and state["step"] == 1
    again = siyu("survey", "send", str(created["id"]), "--openid", "oCli001", code=1)
    assert again["sent"] == 0 and "answering" in again["skipped"][0]["reason"]
    report = siyu("survey", "results", str(created["id"]))
    assert (report["responses"], report["completed"], report["nps"]) == (1, 0, None)


def test_a_segment_send_is_enqueued_in_the_campaign_outbox(
    cli_env: str, fake_api: FakeWeChat, tmp_path: Path
) -> None:
    definition = tmp_path / "survey.yaml"
    definition.write_text(
        "name: 回访\nintro: 您好\nthanks: 谢谢\nquestions:\n  - {type: csat, text: 满意吗？}\n",
        encoding="utf-8",
    )
    survey = siyu("survey", "create", str(definition))

    async def seed() -> int:
        for n in range(3):
            await Customer.create(openid=f"oSeg{n}", subscribed=True)
        segment = await Segment.create(name="all", rule={"field": "subscribed", "value": True})
        return segment.id

    segment_id = in_db(cli_env, seed)
    run = siyu("survey", "send", str(survey["id"]), "--segment", str(segment_id))
    assert run["targeted"] == 3 and run["run_id"] >= 1

    async def queued() -> tuple[int, int | None]:
        campaign = await Campaign.get(survey_id=survey["id"])
        return await CampaignDelivery.filter(campaign_id=campaign.id).count(), campaign.survey_id

    assert in_db(cli_env, queued) == (3, survey["id"])
    assert fake_api.sent_texts() == []  # the workers send it, not the command


def test_a_bad_definition_says_which_field(cli_env: str, tmp_path: Path) -> None:
    definition = tmp_path / "bad.yaml"
    definition.write_text(
        "name: 回访\nintro: 您好\nthanks: 谢谢\nquestions:\n  - {type: single, text: 选哪个？, options: [A]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["survey", "create", str(definition)])
    assert result.exit_code == 2 and "questions.1" in result.output
