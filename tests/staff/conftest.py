"""Fixtures for the staff tests: customers in a real database, and WeCom commands sent
through the webhook signed and encrypted as WeCom sends them."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator, text_xml
from crm.clock import FrozenClock
from crm.models import Customer, CustomerTag, Role, Staff, Tag, TagSource

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai

MakeCustomer = Callable[..., Awaitable[Customer]]
Send = Callable[[str, str], Awaitable[str]]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def make_customer(database_url: str) -> MakeCustomer:
    counter = itertools.count(1)

    async def make(tags: tuple[str, ...] = (), **fields: Any) -> Customer:
        fields.setdefault("openid", f"o-staff-{next(counter)}")
        customer = await Customer.create(**fields)
        for name in tags:
            tag, _ = await Tag.get_or_create(name=name)
            await CustomerTag.create(customer=customer, tag=tag, source=TagSource.STAFF)
        return customer

    return make


@pytest.fixture
async def members(database_url: str) -> dict[Role, str]:
    """One WeCom member per role: boss (admin by config), yunying (operator), kanke (viewer)."""
    await Staff.create(userid="yunying", name="小运", role=Role.OPERATOR)
    await Staff.create(userid="kanke", name="小看", role=Role.VIEWER)
    return {Role.ADMIN: "boss", Role.OPERATOR: "yunying", Role.VIEWER: "kanke"}


@pytest.fixture
def send(client: TestClient, wecom: Simulator) -> Send:
    """`await send(userid, "/find 张")`: the decrypted text of the passive reply."""
    msg_ids = itertools.count(1)

    async def post(userid: str, text: str) -> str:
        xml = text_xml(userid, wecom.receiver, text, next(msg_ids))
        request = wecom.wecom(xml)
        resp = await client.post("/wechat/wecom", params=request.params, data=request.body)
        assert resp.status == 200, await resp.text()
        reply = wecom.read_reply(await resp.read())
        assert reply is not None, f"no reply to {text!r}"
        return str(reply["Content"])

    return post


@pytest.fixture
def frozen(client: TestClient, clock: FrozenClock) -> FrozenClock:
    """The app's handlers read the time from `clock`."""
    from bot.keys import PIPELINE

    client.app[PIPELINE].clock = clock
    return clock
