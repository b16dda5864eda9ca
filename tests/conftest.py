"""Shared fixtures: a real database (SQLite by default, PostgreSQL when
SIYU_TEST_DATABASE_URL says so) and real Redis. With CI=true a missing server fails the run."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import DBConnectionError

from crm.database import close_database, migrate, open_database
from tests.support.redis_server import RedisServer, RedisServerMissing

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_DATABASE_URL = os.environ.get("SIYU_TEST_DATABASE_URL", "sqlite")
TEST_REDIS_URL = os.environ.get("SIYU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


def unavailable(what: str, error: Exception) -> None:
    """Fail in CI (a missing server must not pass as skipped); skip on a developer machine."""
    message = f"{what} is not reachable ({error}); start it (see README) or unset the variable"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


_fresh_schema: list[str] = []


async def _drop_schema_once(url: str) -> None:
    """A test database keeps whatever earlier runs left (older migrations included): start
    each session from an empty schema."""
    if url in _fresh_schema:
        return
    await open_database(url)
    await connections.get("default").execute_script(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    )
    await close_database()
    _fresh_schema.append(url)


async def _reset_postgres(url: str) -> None:
    await _drop_schema_once(url)
    await migrate(url)
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_TABLES)
    names = [r["tablename"] for r in rows if r["tablename"] != "tortoise_migrations"]
    if names:
        quoted = ", ".join(f'"{n}"' for n in names)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    await close_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating takes a second; do it once and copy the file for each test."""
    path = tmp_path_factory.mktemp("template") / "siyu.sqlite3"

    async def build() -> None:
        await migrate(f"sqlite://{path}")
        await close_database()

    asyncio.run(build())
    return path


@pytest.fixture
async def database_url(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[str]:
    """A migrated, empty database; Tortoise is open on it for the test."""
    if TEST_DATABASE_URL == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "siyu.sqlite3")
        url = f"sqlite://{tmp_path}/siyu.sqlite3"
    else:
        url = TEST_DATABASE_URL
        try:
            await _reset_postgres(url)
        except (OSError, DBConnectionError) as exc:
            unavailable("PostgreSQL", exc)
    caches.clear()  # process-local memos of another test's database
    await open_database(url)
    yield url
    await close_database()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Database 15 of the local Redis, emptied before and after the test."""
    import redis
    from redis import exceptions as redis_errors

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.flushdb()
    except (OSError, redis_errors.ConnectionError) as exc:
        client.close()
        unavailable("Redis", exc)
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, free to be killed and restarted (port kept)."""
    try:
        server = RedisServer(tmp_path)
    except RedisServerMissing as exc:
        unavailable("redis-server", exc)
    server.start()
    yield server
    server.kill()


# -- the app, in-process, against the fake WeChat API ------------------------------------------

from aiohttp.test_utils import TestClient  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.startup import prepare_process  # noqa: E402
from bot.wechat.crypto import MessageCrypto  # noqa: E402
from bot.wechat.fake import FakeWeChat, create_fake_app  # noqa: E402
from bot.wechat.simulator import Simulator  # noqa: E402
from crm import caches, currency  # noqa: E402
from crm.pipl import config as privacy_config  # noqa: E402

TEST_CONFIG = Path(__file__).parent / "data" / "config.yaml"


@pytest.fixture
def fake_wechat() -> FakeWeChat:
    return FakeWeChat()


@pytest.fixture
async def fake_wechat_url(aiohttp_server, fake_wechat: FakeWeChat) -> str:  # type: ignore[no-untyped-def]
    server = await aiohttp_server(create_fake_app(fake_wechat))
    return str(server.make_url("")).rstrip("/")


def make_settings(database_url: str, api_url: str, **overrides: object) -> Settings:
    settings = load_settings(TEST_CONFIG)
    wechat = settings.wechat.model_copy(
        update={
            "oa": settings.wechat.oa.model_copy(update={"api_base_url": api_url}),
            "wecom": settings.wechat.wecom.model_copy(update={"api_base_url": api_url}),
        }
    )
    return settings.model_copy(update={"database_url": database_url, "wechat": wechat, **overrides})


@pytest.fixture(autouse=True)
def _restore_currency_rates() -> Iterator[None]:
    """Start-up sets process-wide rates (bot/startup.py): each test starts with its own."""
    saved = currency.active()
    yield
    currency.configure(saved)


@pytest.fixture(autouse=True)
def _restore_privacy_settings() -> Iterator[None]:
    """The same for `privacy:` (consent for marketing, retention): set by start-up and the CLI."""
    saved = privacy_config.current()
    yield
    privacy_config.configure(saved)


@pytest.fixture
def settings(database_url: str, fake_wechat_url: str) -> Settings:
    return make_settings(database_url, fake_wechat_url)


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    caches.clear()
    prepare_process(settings)  # as `siyu serve` does before it builds the app
    yield await aiohttp_client(create_app(settings))
    caches.clear()


@pytest.fixture
def oa(settings: Settings) -> Simulator:
    oa = settings.wechat.oa
    crypto = MessageCrypto(
        oa.token.get_secret_value(), oa.encoding_aes_key.get_secret_value(), oa.app_id
    )
    return Simulator(crypto, receiver="gh_siyu_test")


@pytest.fixture
def wecom(settings: Settings) -> Simulator:
    w = settings.wechat.wecom
    crypto = MessageCrypto(
        w.token.get_secret_value(), w.encoding_aes_key.get_secret_value(), w.corp_id
    )
    return Simulator(crypto, receiver=w.corp_id)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`once` tests use PostgreSQL in both passes: the SQLite pass would only repeat them;
    `sqlite_only` tests run in the SQLite pass alone (deselected, not skipped, elsewhere)."""
    other = "sqlite_only" if TEST_DATABASE_URL != "sqlite" else "once"
    dropped = [item for item in items if item.get_closest_marker(other)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker(other)]
