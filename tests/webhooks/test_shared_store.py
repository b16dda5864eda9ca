"""Two apps in ONE interpreter sharing Redis: concurrent deliveries of one message to either app
are recorded once and all answered with the first reply, through the claims in the store.

These apps share every module-level cache (customers, tags) and one Tortoise connection, so
they say nothing about separate processes: tests/webhooks/test_processes.py and
test_crash_window.py run real `siyu serve` processes for that."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.wechat.simulator import Simulator, text_xml
from crm.models import Interaction


async def test_deliveries_to_two_apps_sharing_the_store_are_answered_alike(
    aiohttp_client, settings: Settings, redis_url: str, oa: Simulator
) -> None:  # type: ignore[no-untyped-def]
    shared = settings.model_copy(update={"redis_url": redis_url})
    first: TestClient = await aiohttp_client(create_app(shared))
    second: TestClient = await aiohttp_client(create_app(shared))
    request = oa.oa_safe(text_xml("o_scale", oa.receiver, "营业时间", 9001), openid="o_scale")

    async def deliver(client: TestClient) -> bytes:
        resp = await client.post("/wechat/oa", params=request.params, data=request.body)
        assert resp.status == 200
        return await resp.read()

    bodies = await asyncio.gather(deliver(first), deliver(second), deliver(first))
    replies = [oa.read_reply(body) for body in bodies]
    assert all(r is not None and r["Content"] == "每天 9:00–21:00 营业。" for r in replies)
    assert await Interaction.filter(msg_id="9001").count() == 1
    assert await Interaction.filter(dedupe_key="msg:9001:reply").count() == 1
