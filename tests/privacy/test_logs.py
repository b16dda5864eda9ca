"""Data minimisation in logs: a full flow at DEBUG (a customer's messages through the webhook,
an operator's and an admin's API reads, a search by phone, a campaign rendered with the name
and sent, an export, an erasure) logs no phone number, name or message text of the fixtures."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, text_xml
from crm.campaigns.runs import start_run
from crm.clock import FrozenClock
from crm.models import Customer, Role
from tests.api.conftest import Api
from tests.campaigns.dispatch_support import dispatcher
from tests.campaigns.outbox_support import campaign
from tests.handlers.helpers import oa_send

NAME, PHONE, OPENID = "欧阳娜娜", "+8613700001234", "o-logs-1"
TEXTS = ("我的手机号是13700001234，快递放在幸福里3号", "东西太差了，我要投诉，退款！")
# Not scanned: the database drivers, which log each statement with its parameters at DEBUG
# by design (run them at INFO or above: README "Personal data (PIPL)"), and aiohttp's default
# access log of the test servers (`siyu serve` logs through bot.access_log, no query string).
DRIVERS = ("tortoise", "aiosqlite", "asyncpg", "aiohttp.access")
SECRETS = (NAME, PHONE, "13700001234", "幸福里", *TEXTS)


async def _flow(api: Api, oa: Simulator, settings: Settings) -> None:
    someone = await Customer.create(openid=OPENID, display_name=NAME, phone=PHONE,
                                    subscribed=True, marketing_consent=True)  # fmt: skip
    for n, text in enumerate(TEXTS, 1):
        await oa_send(api.client, oa, text_xml(OPENID, oa.receiver, text, n), OPENID)
    for role in (Role.OPERATOR, Role.ADMIN):
        await api.ok("GET", f"/customers/{someone.id}", role)
        await api.ok("GET", f"/customers?q={PHONE}", role)
    target = await campaign(text="{{ customer.display_name }}，生日快乐！")
    clock = FrozenClock()  # now: the customer wrote just now, the window is open
    await start_run(target.id, run_date=clock.now().date(), run_key="logs", clock=clock)
    async with dispatcher(settings, clock) as d:
        assert await d.dispatch_once() == 1
    await api.ok("GET", f"/customers/{someone.id}/export")
    await api.ok("POST", f"/customers/{someone.id}/erase")


async def test_a_full_flow_logs_no_personal_data(
    api: Api,
    oa: Simulator,
    api_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    fake_wechat: FakeWeChat,
) -> None:
    caplog.set_level(logging.DEBUG)
    await _flow(api, oa, api_settings)
    assert f"{NAME}，生日快乐！" in fake_wechat.sent_texts(OPENID)  # the name went out
    assert len(caplog.records) > 10  # the flow did log
    ours = [r for r in caplog.records if not r.name.startswith(DRIVERS)]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in ours)
    assert [line for line in logged.splitlines() if any(s in line for s in SECRETS)] == []
