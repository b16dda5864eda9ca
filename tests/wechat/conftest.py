"""The fake WeChat API on a loopback server, and the real clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import MemoryStore
from bot.wechat.client import WeChatClients, open_clients
from bot.wechat.fake import FakeOAApp, FakeWeChat, FakeWeComApp, create_fake_app

from .support import OA_SECRET, WECOM_SECRET, ServerFactory, oa_settings, wecom_settings


@pytest.fixture
def fake() -> FakeWeChat:
    return FakeWeChat(
        [FakeOAApp("wx0000000000000000", OA_SECRET)],
        [FakeWeComApp("ww0000000000000000", WECOM_SECRET, 1000002)],
    )


@pytest.fixture
async def fake_url(aiohttp_server: ServerFactory, fake: FakeWeChat) -> str:
    server = await aiohttp_server(create_fake_app(fake))
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
async def clients(fake_url: str, store: MemoryStore) -> AsyncIterator[WeChatClients]:
    opened = await open_clients(oa_settings(fake_url), wecom_settings(fake_url), store)
    yield opened
    await opened.close()
