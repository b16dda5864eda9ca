"""The app configured for the Official Account's other message modes (the default is safe)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import OfficialAccountMode, Settings
from crm import caches

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]


def with_oa_mode(settings: Settings, mode: OfficialAccountMode) -> Settings:
    oa = settings.wechat.oa.model_copy(update={"mode": mode})
    return settings.model_copy(update={"wechat": settings.wechat.model_copy(update={"oa": oa})})


@pytest.fixture
async def plain_client(
    aiohttp_client: AiohttpClient, settings: Settings
) -> AsyncIterator[TestClient]:
    caches.clear()
    yield await aiohttp_client(create_app(with_oa_mode(settings, OfficialAccountMode.PLAIN)))
    caches.clear()


@pytest.fixture
async def compatible_client(
    aiohttp_client: AiohttpClient, settings: Settings
) -> AsyncIterator[TestClient]:
    caches.clear()
    yield await aiohttp_client(create_app(with_oa_mode(settings, OfficialAccountMode.COMPATIBLE)))
    caches.clear()
