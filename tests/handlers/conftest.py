"""Fixtures for handler behaviour through the real app: an app built from overridden settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from crm import caches
from handlers.config import ConversationSettings

AppFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def app_with(aiohttp_client: Any, settings: Settings) -> AppFactory:
    """`await app_with(conversation={...})`: the app on the test settings with these changed."""

    async def build(**overrides: Any) -> TestClient:
        changed = dict(overrides)
        if "conversation" in changed:
            merged = {**settings.conversation.model_dump(), **changed["conversation"]}
            changed["conversation"] = ConversationSettings.model_validate(merged)
        caches.clear()
        client: TestClient = await aiohttp_client(create_app(settings.model_copy(update=changed)))
        return client

    return build
