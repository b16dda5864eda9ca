"""Helpers for the crm tests: every test runs against a real, migrated database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from crm.clock import FrozenClock
from crm.models import Customer, CustomerTag, Tag, TagSource

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai

MakeCustomer = Callable[..., Awaitable[Customer]]


@pytest.fixture
def clock() -> FrozenClock:
    """This test's own clock, at NOW until the test moves it."""
    return FrozenClock(NOW)


@pytest.fixture
def make_customer(database_url: str) -> MakeCustomer:
    counter = iter(range(1, 1_000_000))

    async def make(tags: tuple[str, ...] = (), **fields: Any) -> Customer:
        fields.setdefault("openid", f"o-test-{next(counter)}")
        customer = await Customer.create(**fields)
        for name in tags:
            tag, _ = await Tag.get_or_create(name=name)
            await CustomerTag.create(customer=customer, tag=tag, source=TagSource.STAFF)
        return customer

    return make
