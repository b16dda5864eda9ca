"""Redis under load and faults, through the real app: a small pool is waited for, a dead
Redis is a 503 with one log line, and the app is back the moment Redis is."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.store import RedisStore, StoreUnavailable
from bot.store.config import StoreSettings
from bot.wechat.simulator import Simulator, text_xml
from crm import caches
from crm.models import Interaction
from tests.support.redis_server import RedisServer


async def _client(aiohttp_client, settings: Settings, **store: object) -> TestClient:  # type: ignore[no-untyped-def]
    """The app on `settings`; a connector without aiohttp's 100-connection cap, so the
    concurrency the test asks for reaches the server."""
    caches.clear()  # customers cached by an earlier test belong to another database
    app = create_app(settings.model_copy(update={"store": StoreSettings(**store)}))  # type: ignore[arg-type]
    return await aiohttp_client(app, connector=aiohttp.TCPConnector(limit=0))


async def _deliver(client: TestClient, oa: Simulator, openid: str, text: str = "你好") -> int:
    request = oa.oa_safe(text_xml(openid, oa.receiver, text), openid=openid)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    await resp.read()
    return resp.status


async def _burst(client: TestClient, oa: Simulator, n: int) -> list[int]:
    return list(await asyncio.gather(*(_deliver(client, oa, f"o_burst_{i}") for i in range(n))))


async def test_a_pool_far_smaller_than_the_concurrency_is_waited_for(
    aiohttp_client, settings: Settings, redis_url: str, oa: Simulator
) -> None:  # type: ignore[no-untyped-def]
    shared = settings.model_copy(update={"redis_url": redis_url})
    client = await _client(aiohttp_client, shared, max_connections=4)
    statuses = await _burst(client, oa, 240)
    assert statuses == [200] * 240
    assert await Interaction.filter(direction="in").count() == 240


async def test_an_exhausted_pool_waits_for_a_free_connection(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="siyu-test:", settings=StoreSettings(max_connections=1))
    try:
        counts = await asyncio.gather(*(store.incr("n", 5) for _ in range(50)))
        assert sorted(counts) == list(range(1, 51))
    finally:
        await store.close()


async def test_a_hung_redis_is_unavailable_within_the_timeouts(private_redis: RedisServer) -> None:
    one = StoreSettings(max_connections=1, pool_timeout_seconds=0.2, socket_timeout_seconds=0.3)
    store = RedisStore(private_redis.url, settings=one)
    try:
        await store.ping()
        private_redis.pause()
        started = time.monotonic()
        results = await asyncio.gather(store.get("a"), store.get("b"), return_exceptions=True)
        assert time.monotonic() - started < 3  # the reply timeout, retried once, bounds it
        assert [type(r) for r in results] == [StoreUnavailable, StoreUnavailable]
        assert "No connection available" in str(results[1])  # waited 0.2 s for the pool
        private_redis.resume()
        assert await store.get("a") is None  # and back at once
    finally:
        private_redis.resume()
        await store.close()


async def test_a_dead_redis_is_503_without_traceback_and_the_app_recovers_with_it(
    aiohttp_client,
    settings: Settings,
    private_redis: RedisServer,
    oa: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    own = settings.model_copy(update={"redis_url": private_redis.url})
    client = await _client(aiohttp_client, own, max_connections=8)
    assert await _burst(client, oa, 30) == [200] * 30  # the pool now holds open sockets
    caplog.set_level(logging.INFO)
    caplog.clear()

    private_redis.kill()
    assert await _deliver(client, oa, "o_outage") == 503
    health = await client.get("/healthz")
    assert health.status == 503
    assert (await health.json())["status"] == "fail"
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text
    failures = [r for r in caplog.records if r.name == "siyu.webhook"]
    assert len(failures) == 1 and "retry expected" in failures[0].getMessage()

    private_redis.start()  # same port: every pooled socket is now stale
    assert await _burst(client, oa, 30) == [200] * 30
    health = await client.get("/healthz")
    assert health.status == 200, await health.text()
