"""Erasure (PIPL art. 47): a person's personal data removed or irreversibly anonymized.

One transaction over every record of the person (the live one and those merged into it), so a
crash half-way rolls back and the next call does the whole again; a second call finds the
records erased and changes nothing. What the brand must keep stays without anything that
identifies the person: orders and points amounts, that a complaint existed, interaction counts
and sentiment, survey scores. The audit log gets one row: who erased whom and when.

The chat door's own reply is recorded after the erasure, with the sender in its XML: it stays
for WeChat's retries (the same answer, once) until `sweep_after_erasure` (nightly) clears it.

Chat state lives in the store, outside the transaction: `Erased.senders` names the chats
whose state the door clears (handlers/erasure.py), read before the records lose their ids."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery

from crm import audit, caches
from crm.actors import Actor
from crm.clock import Clock, utcnow
from crm.customers import survivor_id
from crm.models import (
    CampaignDelivery,
    Channel,
    Complaint,
    ComplaintHistory,
    ComplaintMessage,
    ComplaintNotification,
    ConsentRecord,
    Customer,
    CustomerMerge,
    CustomerNote,
    CustomerTag,
    DeliveryStatus,
    Gender,
    Interaction,
    PointsEntry,
    ResponseStatus,
    SegmentMember,
    SurveyAnswer,
    SurveyResponse,
)
from crm.models.audit import AuditEntry
from crm.transactions import transaction

log = logging.getLogger("siyu.pipl.erasure")
ACTION = "customers.erase"
ERASED_TEXT = "（该客户已申请删除个人信息）"
OPEN_RESPONSES = (ResponseStatus.INVITED, ResponseStatus.IN_PROGRESS)
UNSENT = (DeliveryStatus.PENDING,)
Ids = list[int]
SWEEP_AFTER = timedelta(days=1)  # longer than any WeChat retry of the confirming message


@dataclass(frozen=True, slots=True)
class Erased:
    customer_id: int  # the live record the id given stands for
    record_ids: tuple[int, ...]  # it and every record merged into it
    senders: tuple[tuple[Channel, str], ...]  # chats whose state the door clears
    already: bool  # erased before: nothing changed this time


async def erase_customer(
    customer_id: int, *, actor: Actor, clock: Clock | None = None,
    conn: BaseDBAsyncClient | None = None, request_id: str | None = None,
) -> Erased:  # fmt: skip
    """Erase the person `customer_id` stands for (NotFound if no such id). Idempotent."""
    now = utcnow(clock)
    async with transaction(conn) as tx:
        live = await survivor_id(customer_id, tx, lock=True)
        ids = await person_records(live, tx)
        senders = await _senders(ids, tx)
        already = not await Customer.filter(id__in=ids, erased_at=None).using_db(tx).exists()
        if not already:
            for step in STEPS:
                await step(ids, now, tx)
            await audit.record(actor, ACTION, "customer", live, request_id=request_id,
                               conn=tx, clock=clock)  # fmt: skip
    caches.clear()  # this process's copies; other processes' expire (crm.customers)
    log.info("customer %s erased (%d records) by %s", live, len(ids), actor.label)
    return Erased(live, tuple(ids), senders, already)


async def person_records(live: int, tx: BaseDBAsyncClient | None = None) -> Ids:
    """The live record and every record merged into it, however deep the chain."""
    ids, frontier = [live], [live]
    while frontier:
        rows = Customer.filter(merged_into_id__in=frontier).using_db(tx)
        found: list[int] = list(await rows.values_list("id", flat=True))  # type: ignore[arg-type]
        frontier = [i for i in found if i not in ids]
        ids += frontier
    return ids


async def _senders(ids: Ids, tx: BaseDBAsyncClient) -> tuple[tuple[Channel, str], ...]:
    found = await Customer.filter(id__in=ids).using_db(tx).values("id", "openid", "external_userid")
    rows = sorted(found, key=lambda r: ids.index(r["id"]))  # the live record first: it is told
    oa = [(Channel.OA, r["openid"]) for r in rows if r["openid"]]
    return tuple(oa + [(Channel.WECOM, r["external_userid"]) for r in rows if r["external_userid"]])


async def _customers(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    await Customer.filter(id__in=ids).using_db(tx).update(
        openid=None, unionid=None, external_userid=None, follow_user=None, display_name=None,
        phone=None, birthday=None, birthday_md=None, birthday_leap=False, gender=Gender.UNKNOWN,
        city=None, source_detail=None, attributes={}, subscribed=False, opted_out=True,
        opted_out_at=now, marketing_consent=False, consent_at=None, consent_source=None,
        erased_at=now, updated_at=now,
    )  # fmt: skip


async def _interactions(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    await (
        Interaction.filter(customer_id__in=ids)
        .using_db(tx)
        .update(content=None, payload=None, keywords=None, dedupe_key=None, msg_id=None)
    )


async def _owned_rows(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    for model in (CustomerTag, CustomerNote, SegmentMember, ConsentRecord):
        await model.filter(customer_id__in=ids).using_db(tx).delete()


async def _deliveries(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    mine = CampaignDelivery.filter(customer_id__in=ids).using_db(tx)
    await mine.filter(status__in=UNSENT).update(
        status=DeliveryStatus.SKIPPED, reason="erased", claimed_by=None, updated_at=now
    )
    await mine.update(content=None)


async def _complaints(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    mine = Complaint.filter(customer_id__in=ids).using_db(tx)
    numbers = list(await mine.values_list("id", flat=True))
    await mine.update(summary=None, resolution=None)
    await ComplaintMessage.filter(complaint_id__in=numbers).using_db(tx).update(text="")
    await ComplaintHistory.filter(complaint_id__in=numbers).using_db(tx).update(note=None)
    notices = ComplaintNotification.filter(complaint_id__in=numbers).using_db(tx)
    await notices.update(text=ERASED_TEXT)


async def _surveys(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    mine = SurveyResponse.filter(customer_id__in=ids).using_db(tx)
    await mine.filter(status__in=OPEN_RESPONSES).update(status=ResponseStatus.ABANDONED)
    responses = list(await mine.values_list("id", flat=True))
    await SurveyAnswer.filter(response_id__in=responses).using_db(tx).update(text=None)


async def _ledger(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    await PointsEntry.filter(customer_id__in=ids).using_db(tx).update(note=None)


async def _merges(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    """Both records' fields are in a merge's snapshot: gone, and the merge cannot be undone."""
    undone = {"at": now.isoformat(), "by": "erasure"}
    for key in ("survivor_id__in", "merged_id__in"):
        rows = CustomerMerge.filter(**{key: ids}).using_db(tx)
        await rows.update(snapshot={"erased": True, "unmerged": undone})


async def _audit_details(ids: Ids, now: datetime, tx: BaseDBAsyncClient) -> None:
    """The customer's audit rows keep who did what when; the values they recorded go."""
    about = AuditEntry.filter(resource="customer", resource_id__in=[str(i) for i in ids])
    await about.using_db(tx).update(before=None, after=None)


async def sweep_after_erasure(clock: Clock | None = None) -> int:
    """Texts and payloads written for erased customers after their erasure (the chat door's
    reply, a message from another process's 30 s customer cache), once a day old."""
    erased = Subquery(Customer.filter(erased_at__isnull=False).values("id"))
    rows = Interaction.filter(customer_id__in=erased, created_at__lt=utcnow(clock) - SWEEP_AFTER)
    rows = rows.filter(Q(content__isnull=False) | Q(payload__isnull=False))
    return await rows.update(content=None, payload=None, keywords=None, dedupe_key=None,
                             msg_id=None)  # fmt: skip


Step = Callable[[Ids, datetime, BaseDBAsyncClient], Awaitable[None]]
# In this order; a test injects a crash between two of them.
STEPS: list[Step] = [
    _interactions, _owned_rows, _deliveries, _complaints, _surveys, _ledger, _merges,
    _audit_details, _customers,
]  # fmt: skip
