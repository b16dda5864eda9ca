"""/v1/segments: CRUD, validate (errors name the rule path), count, masked preview, CSV export
(streamed, admin, audited), static snapshot. The rule language is crm.segments'."""

from __future__ import annotations

import csv
import io
import logging
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from aiohttp import web
from pydantic import Field
from tortoise.exceptions import IntegrityError

from bot.api.dispatch import API_SETTINGS
from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import exporting, segments
from crm.errors import Conflict
from crm.models import Segment, SegmentKind
from crm.permissions import Action

log = logging.getLogger("siyu.api.export")
TAG = "segments"
Rule = dict[str, Any]
RULE_DOC = 'a rule: {"all"|"any": [rule]}, {"not": rule}, {"field", "op", "value"}'


class SegmentOut(Out):
    id: int
    name: str
    description: str | None
    kind: SegmentKind
    rule: Rule
    snapshot_at: datetime | None
    member_count: int | None
    created_at: datetime
    updated_at: datetime


class SegmentCreate(Strict):
    name: str = Field(min_length=1, max_length=64)
    description: str | None = Field(None, max_length=255)
    kind: SegmentKind = SegmentKind.DYNAMIC
    rule: Rule = Field(description=RULE_DOC)


class SegmentUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=64)
    description: str | None = Field(None, max_length=255)
    rule: Rule | None = Field(None, description=RULE_DOC)


class RuleCheck(Strict):
    rule: Rule = Field(description=RULE_DOC)


class RuleChecked(Out):
    valid: bool
    count: int


class Count(Out):
    count: int


class PreviewRow(Out):
    id: int
    display_name: str | None
    phone: str | None
    city: str | None
    lifecycle_stage: str
    points_balance: int
    total_spent: Decimal


class Preview(Out):
    items: list[PreviewRow]


class PreviewQuery(Strict):
    limit: int = Field(20, ge=1, le=200)


class ExportQuery(Strict):
    masked: bool = Field(False, description="mask phone and name in the file too")


class SegmentQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name", "created_at", "-created_at"] = "id"
    kind: SegmentKind | None = None


def _state(segment: Segment) -> dict[str, Any]:
    return {"name": segment.name, "description": segment.description, "rule": segment.rule,
            "kind": SegmentKind(segment.kind).value}  # fmt: skip


@API.route("GET", "/v1/segments", action=Action.SEGMENTS_READ, tag=TAG,
           query=SegmentQuery, response=Page[SegmentOut])  # fmt: skip
async def list_segments(call: Call) -> Page[SegmentOut]:
    """List segments, filtered by kind."""
    q: SegmentQuery = call.query
    qs = Segment.all() if q.kind is None else Segment.filter(kind=q.kind)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[SegmentOut](items=[SegmentOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("GET", "/v1/segments/{segment_id}", action=Action.SEGMENTS_READ, tag=TAG,
           response=SegmentOut)  # fmt: skip
async def get_segment(call: Call) -> SegmentOut:
    """One segment with its rule."""
    return SegmentOut.model_validate(await segments.get_segment(call["segment_id"]))


@API.route("POST", "/v1/segments", action=Action.SEGMENTS_WRITE, tag=TAG,
           body=SegmentCreate, response=SegmentOut, status=201)  # fmt: skip
async def create_segment(call: Call) -> SegmentOut:
    """Save a segment (a static one is frozen right away); a bad rule is 400 naming its path."""
    b: SegmentCreate = call.body
    async with in_transaction() as tx:
        segment = await segments.create_segment(
            b.name, b.rule, b.description, b.kind, actor=call.actor, conn=tx
        )
        await audited(call, tx, "segments.create", "segment", segment.id, after=_state(segment))
    return SegmentOut.model_validate(segment)


@API.route("PATCH", "/v1/segments/{segment_id}", action=Action.SEGMENTS_WRITE, tag=TAG,
           body=SegmentUpdate, response=SegmentOut)  # fmt: skip
async def update_segment(call: Call) -> SegmentOut:
    """Rename, redescribe or change the rule (fields left out stay)."""
    b: SegmentUpdate = call.body
    async with in_transaction() as tx:
        before = _state(await segments.get_segment(call["segment_id"], conn=tx))
        segment = await segments.update_segment(
            call["segment_id"], name=b.name, rule=b.rule, description=b.description,
            actor=call.actor, conn=tx,
        )  # fmt: skip
        after = _state(segment)
        await audited(
            call, tx, "segments.update", "segment", segment.id, before=before, after=after
        )
    return SegmentOut.model_validate(segment)


@API.route("DELETE", "/v1/segments/{segment_id}", action=Action.SEGMENTS_WRITE, tag=TAG)
async def delete_segment(call: Call) -> None:
    """Delete a segment no campaign uses (409 while one does)."""
    try:
        async with in_transaction() as tx:
            segment = await segments.get_segment(call["segment_id"], conn=tx)
            before = _state(segment)
            await segment.delete(using_db=tx)
            await audited(call, tx, "segments.delete", "segment", segment.id, before=before)
    except IntegrityError:
        raise Conflict(f"分群 {call['segment_id']} 仍被活动使用，不能删除") from None


@API.route("POST", "/v1/segments/validate", action=Action.SEGMENTS_READ, tag=TAG,
           body=RuleCheck, response=RuleChecked, writes=False)  # fmt: skip
async def validate_rule(call: Call) -> RuleChecked:
    """Check a rule and count what it selects now; errors name the rule path (details)."""
    return RuleChecked(
        valid=True, count=await segments.count(segments.rule_members(call.body.rule))
    )


@API.route("GET", "/v1/segments/{segment_id}/count", action=Action.SEGMENTS_READ, tag=TAG,
           response=Count)  # fmt: skip
async def count_segment(call: Call) -> Count:
    """How many customers the segment selects now."""
    segment = await segments.get_segment(call["segment_id"])
    return Count(count=await segments.count(segments.segment_members(segment)))


@API.route("GET", "/v1/segments/{segment_id}/preview", action=Action.SEGMENTS_READ, tag=TAG,
           query=PreviewQuery, response=Preview)  # fmt: skip
async def preview_segment(call: Call) -> Preview:
    """The first members, phone and name masked for every role."""
    segment = await segments.get_segment(call["segment_id"])
    rows = await segments.preview(segments.segment_queryset(segment), call.query.limit)
    return Preview(items=[PreviewRow.model_validate(r) for r in rows])


@API.route("POST", "/v1/segments/{segment_id}/snapshot", action=Action.SEGMENTS_WRITE, tag=TAG,
           response=SegmentOut)  # fmt: skip
async def snapshot_segment(call: Call) -> SegmentOut:
    """Freeze the rule's members now: the segment becomes static."""
    async with in_transaction() as tx:
        segment = await segments.get_segment(call["segment_id"], conn=tx)
        before = {"kind": SegmentKind(segment.kind).value, "member_count": segment.member_count}
        await segments.snapshot(segment, actor=call.actor, conn=tx)
        after = {"kind": "static", "member_count": segment.member_count,
                 "snapshot_at": segment.snapshot_at}  # fmt: skip
        await audited(
            call, tx, "segments.snapshot", "segment", segment.id, before=before, after=after
        )
    return SegmentOut.model_validate(segment)


@API.route("GET", "/v1/segments/{segment_id}/export", action=Action.PII_READ, tag=TAG,
           query=ExportQuery, media_type="text/csv")  # fmt: skip
async def export_segment(call: Call) -> web.StreamResponse:
    """The members as CSV (UTF-8 with BOM), streamed batch by batch; audited before it starts."""
    segment_id, masked = call["segment_id"], call.query.masked
    async with in_transaction() as tx:
        await segments.get_segment(segment_id, conn=tx)
        action = "customers.export" if masked else "pii.export"
        await audited(call, tx, action, "segment", segment_id, after={"masked": masked})
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="segment-{segment_id}.csv"',
        "X-Request-Id": call.request_id,
    })  # fmt: skip
    await response.prepare(call.request)
    deadline = time.monotonic() + call.request.config_dict[API_SETTINGS].export_seconds
    await response.write(_csv([exporting.COLUMNS], bom=True))
    async for rows in exporting.customer_rows(segment_id, masked=masked):
        if time.monotonic() > deadline:
            return _cut_off(call, response)
        await response.write(_csv(rows))
    await response.write_eof()
    return response


def _cut_off(call: Call, response: web.StreamResponse) -> web.StreamResponse:
    """Past the deadline: drop the connection, so the client sees an unfinished body (no last
    chunk) rather than a file that looks complete."""
    log.warning("export %s by %s cut off after its deadline", call.request.path, call.actor.label)
    if call.request.transport is not None:
        call.request.transport.close()
    return response


def _csv(rows: list[list[Any]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")
