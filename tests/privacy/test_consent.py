"""Consent for marketing: recorded when given (订阅) and withdrawn (退订); a marketing campaign
enqueues only customers with consent on record and the dispatcher reads it again before each
batch; a service notice (frequency_exempt) is not marketing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, event_xml, text_xml
from crm.campaigns.runs import start_run
from crm.clock import FrozenClock
from crm.models import ConsentRecord, Customer, DeliveryStatus
from crm.pipl import config, consent
from crm.seed import seed
from tests.campaigns.dispatch_support import TEMPLATE, dispatcher, status_of
from tests.campaigns.outbox_support import NOW, campaign, customer, outcomes
from tests.handlers.helpers import oa_send

RUN_DATE = NOW.date()
AGREED = consent.Change(consent.ConsentSource.IMPORT, detail="crm.csv 2026-01-01")


@pytest.fixture
def required() -> Iterator[None]:
    saved = config.current()
    config.configure(config.PrivacySettings(require_consent=True))
    yield
    config.configure(saved)


async def test_marketing_reaches_only_customers_with_consent(
    database_url: str, required: None
) -> None:
    agreed, silent = await customer(), await customer()
    assert await consent.grant(agreed.id, AGREED)
    run = await start_run((await campaign()).id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert await outcomes(run.run_id) == {
        agreed.id: ("pending", None),
        silent.id: ("skipped", "no_consent"),
    }
    notice = await campaign(frequency_exempt=True)  # a service notice: not marketing
    run = await start_run(notice.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    assert await outcomes(run.run_id) == {
        agreed.id: ("pending", None),
        silent.id: ("pending", None),
    }


async def test_a_withdrawal_after_the_enqueue_holds_at_send_time(
    database_url: str, required: None, settings: Settings, fake_wechat: FakeWeChat
) -> None:
    agreed = await customer(display_name="小林")
    await consent.grant(agreed.id, AGREED)
    target = await campaign(template_message=TEMPLATE)
    await start_run(target.id, run_date=RUN_DATE, clock=FrozenClock(NOW))
    clock = FrozenClock(NOW)
    async with dispatcher(settings, clock) as d:
        taken = await d.take()
        assert len(taken.sends) == 1
        assert await consent.withdraw(agreed.id, consent.Change(consent.ConsentSource.IMPORT))
        await d.send(taken)
    row = await status_of(agreed)
    assert (row.status, row.reason) == (DeliveryStatus.SKIPPED, "no_consent")
    assert fake_wechat.calls == []


async def test_a_follow_through_a_scene_that_stated_its_purpose_is_consent(
    client: TestClient, oa: Simulator
) -> None:
    saved = config.current()
    config.configure(config.PrivacySettings(follow_consent_scenes={"poster": "会员活动通知"}))
    try:
        for openid, key in (("o-f1", "qrscene_poster"), ("o-f2", "")):
            xml = event_xml(openid, oa.receiver, "subscribe", key)
            await oa_send(client, oa, xml, openid)
    finally:
        config.configure(saved)
    rows = await ConsentRecord.all().values_list("customer__openid", "source", "purpose", "detail")
    assert rows == [("o-f1", "follow", "会员活动通知", "poster")]


async def test_subscribe_and_unsubscribe_texts_are_recorded(
    client: TestClient, oa: Simulator
) -> None:
    someone = await Customer.create(openid="o-consent", subscribed=True)
    for n, text in enumerate(("订阅", "退订", "恢复订阅"), 1):
        await oa_send(client, oa, text_xml("o-consent", oa.receiver, text, n), "o-consent")
    rows = await ConsentRecord.filter(customer_id=someone.id).order_by("id")
    assert [(r.granted, r.source) for r in rows] == [
        (True, "subscribe_text"),
        (False, "unsubscribe_text"),
        (True, "subscribe_text"),
    ]
    assert (await Customer.get(id=someone.id)).marketing_consent


async def test_seeded_customers_carry_their_consent_on_record(database_url: str) -> None:
    """`siyu seed` data is campaigned on by benchmarks and demos: each consent it sets has its
    record, and nobody who opted out is marked as agreeing."""
    await seed(200)
    agreed = await Customer.filter(marketing_consent=True).values_list("id", flat=True)
    recorded = await ConsentRecord.filter(granted=True, source="seed").values_list(
        "customer_id", flat=True
    )
    assert sorted(agreed) == sorted(recorded) and 150 <= len(agreed) < 200
    assert not await Customer.filter(marketing_consent=True, opted_out=True).exists()
    assert not await Customer.filter(marketing_consent=True, consent_at=None).exists()
