"""/v1/customers: search, profile, timeline, tags (source staff), notes, points adjusted with
a reason through the ledger, merge and unmerge. Built on the same crm services as the staff
commands (crm.search, crm.profiles, crm.notes, crm.customer_edits), masked per role by
crm.privacy; an admin's unmasked read is a `pii.read` audit row per record shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, Literal, get_type_hints

from pydantic import Field, create_model

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import customer_edits, notes, profiles, search
from crm.customers import survivor_id
from crm.errors import InvalidInput, NotFound
from crm.merge import merge_customers
from crm.models import Customer, CustomerNote, Tag
from crm.permissions import Action
from crm.privacy import Personal, mask_text, masked, record_text_read, record_unmasked_read
from crm.unmerge import undo_merge

TAG = "customers"
CUSTOMER = "/v1/customers/{customer_id}"


class CustomerOut(Out):
    id: int
    display_name: str | None
    phone: str | None
    city: str | None
    lifecycle_stage: str
    points_balance: int
    subscribed: bool
    last_active_at: datetime | None
    created_at: datetime


class RfmOut(Out):
    r: int
    f: int
    m: int


def _profile_model() -> type[Out]:
    """ProfileOut from crm.profiles.Profile's own fields, so a field added there is in every
    answer and in the OpenAPI document; only the nested types differ (a list, RfmOut)."""
    hints = get_type_hints(profiles.Profile)
    shapes: dict[str, Any] = {f.name: (hints[f.name], ...) for f in fields(profiles.Profile)}
    shapes |= {"tags": (list[str], ...), "rfm": (RfmOut | None, ...)}
    return create_model("ProfileOut", __base__=Out, __module__=__name__, **shapes)


ProfileOut = _profile_model()


class TimelineItemOut(Out):
    id: int
    at: datetime
    direction: str
    channel: str
    kind: str
    content: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    intent: str | None


class NoteOut(Out):
    id: int
    author: str
    text: str
    created_at: datetime


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=notes.MAX_NOTE)


class TagIn(Strict):
    tag: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")


class TagsOut(Out):
    changed: bool = Field(description="false: the customer had (or lacked) the tag already")
    tags: list[str]


class PointsIn(Strict):
    amount: int = Field(ge=-1_000_000, le=1_000_000, description="signed, not 0")
    reason: str = Field(min_length=1, max_length=customer_edits.MAX_REASON)
    reference: str | None = Field(
        None, min_length=1, max_length=48, pattern=r"^[\w.:-]+$",
        description="idempotency key: a retry with the same one adjusts once",
    )  # fmt: skip


class PointsOut(Out):
    entry_id: int
    amount: int
    balance: int


class MergeIn(Strict):
    duplicate_id: int = Field(ge=1, le=2**31 - 1, description="merged into this customer")


class MergeOut(Out):
    merge_id: int
    survivor_id: int
    merged_id: int


class CustomerQuery(PageQuery):
    sort: Literal["id", "-id", "created_at", "-created_at"] = "id"
    q: str | None = Field(
        None, min_length=1, max_length=search.MAX_QUERY,
        description="phone (exact), name, openid, tag or lifecycle stage",
    )  # fmt: skip


class NoteQuery(PageQuery):
    sort: Literal["-id", "id", "-created_at", "created_at"] = "-id"


class TimelineQuery(Strict):
    limit: int = Field(50, ge=1, le=profiles.MAX_TIMELINE)
    cursor: str | None = Field(None, max_length=20, pattern=r"^\d{1,19}$",
                               description="next_cursor of the last page")  # fmt: skip
    sort: Literal["-id"] = "-id"


def _summary(c: Customer, call: Call) -> CustomerOut:
    role = call.actor.role
    return CustomerOut(
        id=c.id, display_name=masked(role, Personal.NAME, c.display_name),
        phone=masked(role, Personal.PHONE, c.phone), city=c.city,
        lifecycle_stage=c.lifecycle_stage.value, points_balance=c.points_balance,
        subscribed=c.subscribed, last_active_at=c.last_active_at, created_at=c.created_at,
    )  # fmt: skip


async def _unmasked_read(call: Call, ids: list[int], fields: list[str]) -> None:
    if ids and fields:
        async with in_transaction() as tx:
            await record_unmasked_read(call.actor, "customer", ids, fields,
                                       request_id=call.request_id, conn=tx)  # fmt: skip


@API.route("GET", "/v1/customers", action=Action.CUSTOMERS_READ, tag=TAG,
           query=CustomerQuery, response=Page[CustomerOut])  # fmt: skip
async def list_customers(call: Call) -> Page[CustomerOut]:
    """Search customers (or list them all); phone and name masked unless admin."""
    q: CustomerQuery = call.query
    qs = Customer.filter(merged_into_id=None) if q.q is None else search.matching(q.q)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    shown = [c.id for c in rows if c.phone or c.display_name]
    await _unmasked_read(call, shown, [Personal.NAME.value, Personal.PHONE.value])
    return Page[CustomerOut](items=[_summary(c, call) for c in rows], next_cursor=cursor)


@API.route("GET", CUSTOMER, action=Action.CUSTOMERS_READ, tag=TAG, response=ProfileOut)
async def get_customer(call: Call) -> Out:
    """The profile: who, tags, points, lifecycle, RFM, notes count (masked unless admin)."""
    found = await profiles.profile(call["customer_id"])
    await _unmasked_read(call, [found.id], found.personal_fields())
    return ProfileOut.model_validate(found.for_role(call.actor.role))


@API.route("GET", CUSTOMER + "/timeline", action=Action.CUSTOMERS_READ, tag=TAG,
           query=TimelineQuery, response=Page[TimelineItemOut])  # fmt: skip
async def customer_timeline(call: Call) -> Page[TimelineItemOut]:
    """Interactions in and out, with sentiment and intent, newest first; phone and ID
    numbers inside the texts masked unless admin."""
    q: TimelineQuery = call.query
    before = int(q.cursor) if q.cursor else None
    items = await profiles.timeline(call["customer_id"], before_id=before, limit=q.limit + 1)
    page, more = items[: q.limit], len(items) > q.limit
    await _texts_read(call, [i.content for i in page])
    return Page[TimelineItemOut](
        items=[_timeline_item(i, call) for i in page],
        next_cursor=str(page[-1].id) if more else None,
    )


def _timeline_item(item: profiles.TimelineItem, call: Call) -> TimelineItemOut:
    out = TimelineItemOut.model_validate(item)
    out.content = mask_text(call.actor.role, item.content)
    return out


async def _texts_read(call: Call, texts: Sequence[str | None]) -> None:
    customer = await survivor_id(call["customer_id"])
    await record_text_read(call.actor, "customer", customer, texts, request_id=call.request_id)


async def _tags(customer_id: int) -> list[str]:
    live = await survivor_id(customer_id)
    return [str(t) for t in await Tag.filter(customers__customer_id=live).order_by("name")
            .values_list("name", flat=True)]  # fmt: skip


@API.route("POST", CUSTOMER + "/tags", action=Action.TAGS_WRITE, tag=TAG,
           body=TagIn, response=TagsOut)  # fmt: skip
async def tag_customer(call: Call) -> TagsOut:
    """Tag the customer by hand (source staff)."""
    added = await customer_edits.add_tag(call["customer_id"], call.body.tag, actor=call.actor,
                                         request_id=call.request_id)  # fmt: skip
    return TagsOut(changed=added, tags=await _tags(call["customer_id"]))


@API.route("DELETE", CUSTOMER + "/tags/{tag_id}", action=Action.TAGS_WRITE, tag=TAG,
           response=TagsOut)  # fmt: skip
async def untag_customer(call: Call) -> TagsOut:
    """Take a tag off the customer, whatever gave it."""
    tag = await Tag.get_or_none(id=call["tag_id"])
    if tag is None:
        raise NotFound(f"标签 {call['tag_id']} 不存在")
    removed = await customer_edits.remove_tag(call["customer_id"], tag.name, actor=call.actor,
                                              request_id=call.request_id)  # fmt: skip
    return TagsOut(changed=removed, tags=await _tags(call["customer_id"]))


@API.route("GET", CUSTOMER + "/notes", action=Action.CUSTOMERS_READ, tag=TAG,
           query=NoteQuery, response=Page[NoteOut])  # fmt: skip
async def customer_notes(call: Call) -> Page[NoteOut]:
    """Staff notes on the customer, newest first by default; phone and ID numbers inside
    them masked unless admin."""
    q: NoteQuery = call.query
    qs = CustomerNote.filter(customer_id=await survivor_id(call["customer_id"]))
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    await _texts_read(call, [n.text for n in rows])
    items = [NoteOut.model_validate(n) for n in rows]
    for item in items:
        item.text = mask_text(call.actor.role, item.text) or ""
    return Page[NoteOut](items=items, next_cursor=cursor)


@API.route("POST", CUSTOMER + "/notes", action=Action.CUSTOMERS_WRITE, tag=TAG,
           body=NoteIn, response=NoteOut, status=201)  # fmt: skip
async def add_note(call: Call) -> NoteOut:
    """Add a note (append-only, audited)."""
    note: CustomerNote = await notes.add_note(
        call["customer_id"], call.body.text, actor=call.actor, request_id=call.request_id
    )
    return NoteOut.model_validate(note)


@API.route("POST", CUSTOMER + "/points", action=Action.POINTS_ADJUST, tag=TAG,
           body=PointsIn, response=PointsOut, status=201)  # fmt: skip
async def adjust_points(call: Call) -> PointsOut:
    """Adjust points with a reason, through the ledger; idempotent by `reference`."""
    b: PointsIn = call.body
    if b.amount == 0:
        raise InvalidInput("amount: 调整的积分不能为 0")
    entry = await customer_edits.adjust_points(
        call["customer_id"], b.amount, b.reason, actor=call.actor,
        reference=f"api:{b.reference or call.request_id}", request_id=call.request_id,
    )  # fmt: skip
    customer = await Customer.get(id=entry.customer_id)  # type: ignore[attr-defined]
    return PointsOut(entry_id=entry.id, amount=entry.amount, balance=customer.points_balance)


@API.route("POST", CUSTOMER + "/merge", action=Action.CUSTOMERS_MERGE, tag=TAG,
           body=MergeIn, response=MergeOut, status=201)  # fmt: skip
async def merge(call: Call) -> MergeOut:
    """Merge `duplicate_id` into this customer (undo with /v1/merges/{merge_id}/unmerge)."""
    survivor, duplicate = call["customer_id"], call.body.duplicate_id
    async with in_transaction() as tx:
        record = await merge_customers(survivor, duplicate, "staff", actor=call.actor, conn=tx)
        after: dict[str, Any] = {"merged_id": duplicate, "merge_id": record.id}
        await audited(call, tx, "customers.merge", "customer", survivor, after=after)
    return MergeOut(merge_id=record.id, survivor_id=survivor, merged_id=duplicate)


@API.route("POST", "/v1/merges/{merge_id}/unmerge", action=Action.CUSTOMERS_MERGE, tag=TAG,
           response=MergeOut)  # fmt: skip
async def unmerge(call: Call) -> MergeOut:
    """Undo a merge (once): the merged record comes back with what was moved."""
    async with in_transaction() as tx:
        result = await undo_merge(call["merge_id"], call.actor.label, actor=call.actor, conn=tx)
        after = {"merge_id": result.merge_id, "restored_id": result.restored_id}
        await audited(call, tx, "customers.unmerge", "customer", result.survivor_id, after=after)
    return MergeOut(merge_id=result.merge_id, survivor_id=result.survivor_id,
                    merged_id=result.restored_id)  # fmt: skip
