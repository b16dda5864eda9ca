"""Retention with an injected clock: texts past their period go (counts and sentiment stay),
finished delivery records and audit entries past theirs are deleted, the nightly job runs it,
and a second run finds nothing."""

from __future__ import annotations

from datetime import timedelta

from crm.actors import SYSTEM
from crm.clock import FrozenClock
from crm.models import AuditEntry, CampaignDelivery, DeliveryStatus, Interaction
from crm.nightly import run_nightly
from crm.pipl.config import RetentionSettings
from crm.pipl.retention import enforce_retention
from tests.privacy.support import NOW, seed_person

YEAR = timedelta(days=365)


async def _age(model: type, row_id: int, field: str, ago: timedelta) -> None:
    await model.filter(id=row_id).update(**{field: NOW - ago})


async def _history() -> tuple[Interaction, Interaction]:
    person = await seed_person()
    old = await Interaction.get(customer_id=person.live.id)
    recent = await Interaction.create(customer=person.live, channel="oa", direction="in",
                                      kind="text", content="上周买的", sentiment_label="neutral")  # fmt: skip
    await _age(Interaction, old.id, "created_at", timedelta(days=1095, hours=1))
    await _age(Interaction, recent.id, "created_at", timedelta(days=1094, hours=23))
    await _age(CampaignDelivery, person.sent.id, "created_at", 2 * YEAR)  # sent: deleted
    await _age(CampaignDelivery, person.pending.id, "created_at", 2 * YEAR)  # pending: kept
    await AuditEntry.filter().update(at=NOW - 4 * YEAR)
    await AuditEntry.create(at=NOW - 6 * YEAR, actor="staff:old", action="x", resource="customer")
    return old, recent


async def test_each_period_is_enforced_and_aggregates_stay(database_url: str) -> None:
    old, recent = await _history()
    report = await enforce_retention(RetentionSettings(), clock=FrozenClock(NOW))
    assert (report.texts_removed, report.deliveries_deleted, report.audit_deleted) == (1, 1, 1)
    aged = await Interaction.get(id=old.id)
    assert (aged.content, aged.payload, aged.sentiment_label) == (None, None, "positive")
    assert (await Interaction.get(id=recent.id)).content == "上周买的"
    assert await Interaction.all().count() == 2
    statuses = await CampaignDelivery.all().values_list("status", flat=True)
    assert statuses == [DeliveryStatus.PENDING]
    assert not await AuditEntry.filter(actor="staff:old").exists() and await AuditEntry.exists()


async def test_the_nightly_job_runs_it_and_a_second_run_finds_nothing(database_url: str) -> None:
    old, _ = await _history()
    first = await run_nightly(clock=FrozenClock(NOW), actor=SYSTEM)
    assert first.retention.texts_removed == 1
    again = await run_nightly(clock=FrozenClock(NOW), actor=SYSTEM)
    assert (again.retention.texts_removed, again.retention.deliveries_deleted) == (0, 0)
    assert (await Interaction.get(id=old.id)).content is None


async def test_zero_days_keeps_forever(database_url: str) -> None:
    await _history()
    forever = RetentionSettings(messages_days=0, deliveries_days=0, audit_days=0)
    report = await enforce_retention(forever, clock=FrozenClock(NOW + 10 * YEAR))
    assert (report.texts_removed, report.deliveries_deleted, report.audit_deleted) == (0, 0, 0)
