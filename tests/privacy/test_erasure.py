"""Erasure in crm: nothing that identifies the person is left in any table; what the brand must
keep stays; a crash half-way leaves everything as it was and the next call finishes; a second
call changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.actors import Actor
from crm.errors import AlreadyUnmerged, NotFound
from crm.models import (
    AuditEntry,
    CampaignDelivery,
    Complaint,
    Customer,
    CustomerMerge,
    DeliveryStatus,
    Interaction,
    Order,
    PointsEntry,
    ResponseStatus,
    Role,
    SurveyResponse,
)
from crm.pipl import erasure
from crm.unmerge import undo_merge
from tests.privacy.support import PHONE, TEXT, leftovers, seed_person

ADMIN = Actor.staff("admin1", Role.ADMIN)


class Crash(Exception):
    pass


async def test_nothing_identifying_is_left_anywhere(database_url: str) -> None:
    person = await seed_person()
    assert await leftovers()  # the scan sees the seeded data
    await erasure.erase_customer(person.merged.id, actor=ADMIN)  # a merged-away id: the person
    assert await leftovers() == []


async def test_what_the_brand_must_keep_stays(database_url: str) -> None:
    person = await seed_person()
    await erasure.erase_customer(person.live.id, actor=ADMIN)
    assert [o.amount for o in await Order.all()] == [Decimal("88.00")]
    assert [p.amount for p in await PointsEntry.all()] == [100]
    assert await Complaint.filter(customer_id=person.live.id).count() == 1
    kept = await Interaction.get(customer_id=person.live.id)
    assert (kept.content, kept.payload, kept.sentiment_label) == (None, None, "positive")
    customer = await Customer.get(id=person.live.id)
    assert customer.erased_at is not None and customer.opted_out and not customer.marketing_consent


async def test_nothing_queued_is_sent_and_flows_stop(database_url: str) -> None:
    person = await seed_person()
    await erasure.erase_customer(person.live.id, actor=ADMIN)
    pending = await CampaignDelivery.get(id=person.pending.id)
    assert (pending.status, pending.reason) == (DeliveryStatus.SKIPPED, "erased")
    assert (await CampaignDelivery.get(id=person.sent.id)).status is DeliveryStatus.SENT
    statuses = set(await SurveyResponse.all().values_list("status", flat=True))
    assert ResponseStatus.IN_PROGRESS not in statuses


async def test_the_merge_cannot_be_undone_after(database_url: str) -> None:
    person = await seed_person()
    await erasure.erase_customer(person.live.id, actor=ADMIN)
    merge = await CustomerMerge.get(survivor_id=person.live.id)
    with pytest.raises(AlreadyUnmerged):
        await undo_merge(merge.id, "admin1", actor=ADMIN)


async def test_audit_says_who_erased_whom_and_when_not_what(database_url: str) -> None:
    person = await seed_person()
    result = await erasure.erase_customer(person.live.id, actor=ADMIN, request_id="r-1")
    again = await erasure.erase_customer(person.live.id, actor=ADMIN)
    assert (result.already, again.already) == (False, True)
    rows = await AuditEntry.filter(action=erasure.ACTION)
    assert [(r.actor, r.resource_id, r.request_id) for r in rows] == [
        ("staff:admin1", str(person.live.id), "r-1")
    ]
    assert all(r.before is None and r.after is None for r in await AuditEntry.all())


async def test_a_crash_half_way_changes_nothing_and_the_next_call_finishes(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = await seed_person()

    async def crash(*_: object) -> None:
        raise Crash

    half = len(erasure.STEPS) // 2
    monkeypatch.setattr(erasure, "STEPS", [*erasure.STEPS[:half], crash, *erasure.STEPS[half:]])
    with pytest.raises(Crash):
        await erasure.erase_customer(person.live.id, actor=ADMIN)
    assert (await Interaction.get(customer_id=person.live.id)).content == TEXT
    assert (await Customer.get(id=person.live.id)).phone == PHONE
    assert not await AuditEntry.filter(action=erasure.ACTION).exists()
    monkeypatch.undo()
    assert not (await erasure.erase_customer(person.live.id, actor=ADMIN)).already
    assert await leftovers() == []


async def test_an_unknown_customer_is_not_found(database_url: str) -> None:
    with pytest.raises(NotFound):
        await erasure.erase_customer(999, actor=ADMIN)
