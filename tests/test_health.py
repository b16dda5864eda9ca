"""/healthz and /metrics through the real app: status codes, bodies, counters that move."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient
from tortoise import Tortoise

from bot.app import create_app
from bot.config import Settings
from bot.wechat.simulator import Simulator, text_xml
from crm import caches
from tests.support.redis_server import RedisServer

_SAMPLE = re.compile(r"^(siyu_[a-z_]+_total) (\d+)$")


def _counters(text: str) -> dict[str, int]:
    """Prometheus text format: each sample after its `# TYPE name counter` line."""
    lines, values = text.splitlines(), {}
    for typed, sample in zip(lines[::2], lines[1::2], strict=True):
        match = _SAMPLE.match(sample)
        assert match, sample
        assert typed == f"# TYPE {match[1]} counter"
        values[match[1].removeprefix("siyu_").removesuffix("_total")] = int(match[2])
    return values


async def _metrics(client: TestClient) -> dict[str, int]:
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.content_type == "text/plain"
    return _counters(await resp.text())


async def test_healthz_ok(client: TestClient) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert set(body["scheduler"]) == {"leader", "renewed_at", "this_process"}


async def test_healthz_fails_without_the_database(client: TestClient) -> None:
    await Tortoise.close_connections()
    resp = await client.get("/healthz")
    assert resp.status == 503
    body = await resp.json()
    assert body["status"] == "fail"
    assert [p.split(":")[0] for p in body["problems"]] == ["database"]


async def test_healthz_fails_without_redis_and_names_only_the_error(
    aiohttp_client, settings: Settings, private_redis: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    caches.clear()
    disabled = settings.scheduler.model_copy(update={"enabled": False})
    app = settings.model_copy(update={"redis_url": private_redis.url, "scheduler": disabled})
    client: TestClient = await aiohttp_client(create_app(app))
    private_redis.kill()
    resp = await client.get("/healthz")
    assert resp.status == 503
    body = await resp.json()
    assert body.pop("calendar")["status"] in ("ok", "missing")  # shown, never a 503 cause
    assert body == {
        "status": "fail",
        "problems": ["store: ConnectionError"],  # no host, port or error text
        "scheduler": {"leader": None, "renewed_at": None, "this_process": False},
    }
    private_redis.start()
    assert (await client.get("/healthz")).status == 200


async def test_metrics_count_what_arrives(client: TestClient, oa: Simulator) -> None:
    before = await _metrics(client)
    assert set(before) >= {"received", "duplicates", "replies", "rejected", "failed"}
    assert before["received"] == before["replies"] == before["duplicates"] == 0
    request = oa.oa_safe(text_xml("o_metrics", oa.receiver, "营业时间"), openid="o_metrics")
    for _ in range(2):  # the first delivery and WeChat's retry of it
        resp = await client.post("/wechat/oa", params=request.params, data=request.body)
        assert resp.status == 200
    forged = dict(request.params, msg_signature="0" * 40)
    assert (await client.post("/wechat/oa", params=forged, data=request.body)).status == 403
    after = await _metrics(client)
    assert after["received"] == 2 and after["duplicates"] == 1 and after["replies"] == 1
    assert after["rejected"] == 1 and after["failed"] == 0
    assert after["journal_batches"] >= 1
