"""Fixtures for the complaint tests: a clock, customers, the complaint settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from crm.clock import FrozenClock
from crm.complaints import config
from crm.complaints.config import ComplaintSettings
from crm.models import Customer

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

MakeCustomer = Callable[..., Awaitable[Customer]]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def complaint_settings() -> Iterator[ComplaintSettings]:
    saved = config.current()
    settings = ComplaintSettings()
    config.configure(settings)
    yield settings
    config.configure(saved)


@pytest.fixture
def make_customer(database_url: str) -> MakeCustomer:
    counter = iter(range(1, 1_000_000))

    async def make(**fields: Any) -> Customer:
        n = next(counter)
        fields.setdefault("openid", f"o-complaint-{n}")
        fields.setdefault("display_name", f"客户{n}")
        fields.setdefault("phone", f"+86139{n:08d}")
        return await Customer.create(subscribed=True, **fields)

    return make
