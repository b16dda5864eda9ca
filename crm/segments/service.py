"""Segments in use: save, count, preview, stream in batches, freeze a static snapshot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DoesNotExist, IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import Customer, Segment, SegmentKind, SegmentMember
from crm.privacy import mask_name, mask_phone
from crm.segments.compiler import RuleContext, customers_matching
from crm.segments.members import IdSelect, MemberIds, member_ids
from crm.segments.rules import parse_rule, rule_to_json
from crm.sql import dialect, is_postgres, iter_keyset, mark, numbered
from crm.transactions import transaction

log = logging.getLogger("siyu.segments")


@dataclass(frozen=True)
class CustomerPreview:
    id: int
    display_name: str | None
    phone: str | None
    city: str | None
    lifecycle_stage: str
    points_balance: int
    total_spent: Decimal


def context(*, clock: Clock = SYSTEM_CLOCK, timezone: str = "Asia/Shanghai") -> RuleContext:
    """One evaluation's moment, read from `clock` once: every condition sees the same now."""
    return RuleContext(now=clock.now(), timezone=timezone, dialect=dialect())


def rule_queryset(rule: Any, ctx: RuleContext | None = None) -> QuerySet[Customer]:
    """Customers matching a rule given as JSON (validated here) or as a parsed rule."""
    parsed = parse_rule(rule) if isinstance(rule, dict) else rule
    return customers_matching(parsed, ctx or context())


def rule_members(rule: Any, ctx: RuleContext | None = None) -> MemberIds:
    """The same customers as rule_queryset, as ids only: what counts and snapshots need."""
    parsed = parse_rule(rule) if isinstance(rule, dict) else rule
    return member_ids(parsed, ctx or context())


async def create_segment(
    name: str,
    rule: Any,
    description: str | None = None,
    kind: SegmentKind = SegmentKind.DYNAMIC,
    *,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> Segment:
    """Save a dynamic segment; a static one is frozen right away (see snapshot)."""
    stored = rule_to_json(parse_rule(rule))
    try:
        async with transaction(conn) as tx:
            segment = await Segment.create(
                using_db=tx, name=name, rule=stored, description=description, kind=kind
            )
    except IntegrityError:
        raise Conflict(f"已有同名分群：{name}") from None
    if kind is SegmentKind.STATIC:
        await snapshot(segment, actor=actor, conn=conn)
    return segment


async def update_segment(
    segment_id: int,
    *,
    name: str | None = None,
    rule: Any = None,
    description: str | None = None,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> Segment:
    """Rename, redescribe or change the rule of a segment (what is None stays). A static
    segment keeps its frozen members until the next snapshot."""
    changes: dict[str, Any] = {"name": name, "description": description}
    if rule is not None:
        changes["rule"] = rule_to_json(parse_rule(rule))
    fields = {k: v for k, v in changes.items() if v is not None}
    try:
        async with transaction(conn) as tx:
            segment = await get_segment(segment_id, conn=tx)
            segment.update_from_dict(fields)
            await segment.save(using_db=tx, update_fields=[*fields, "updated_at"])
    except IntegrityError:
        raise Conflict(f"已有同名分群：{name}") from None
    log.info("segment %s updated (%s) by %s", segment_id, ", ".join(fields), actor.label)
    return segment


async def get_segment(segment_id: int, conn: BaseDBAsyncClient | None = None) -> Segment:
    try:
        return await Segment.get(id=segment_id, using_db=conn)
    except DoesNotExist:
        raise NotFound(f"分群 {segment_id} 不存在") from None


def segment_queryset(segment: Segment, ctx: RuleContext | None = None) -> QuerySet[Customer]:
    """Dynamic: the rule now. Static: the frozen members (those not merged away since)."""
    if segment.kind is SegmentKind.STATIC:
        members = SegmentMember.filter(segment_id=segment.id).values("customer_id")
        return Customer.filter(Q(id__in=Subquery(members)), merged_into_id__isnull=True)
    return rule_queryset(segment.rule, ctx)


def segment_members(segment: Segment, ctx: RuleContext | None = None) -> MemberIds:
    if segment.kind is SegmentKind.STATIC:
        return MemberIds((IdSelect(segment_queryset(segment).values("id")),))
    return rule_members(segment.rule, ctx)


async def count(selection: QuerySet[Customer] | MemberIds) -> int:
    return await selection.count()


async def preview(qs: QuerySet[Customer], limit: int = 20) -> list[CustomerPreview]:
    """The first customers of a selection, with phone and name masked for staff screens."""
    if not 1 <= limit <= 200:
        raise InvalidInput("预览条数应在 1 到 200 之间")
    rows = await qs.order_by("id").limit(limit)
    return [_preview(c) for c in rows]


def _preview(c: Customer) -> CustomerPreview:
    return CustomerPreview(
        id=c.id,
        display_name=mask_name(c.display_name),
        phone=mask_phone(c.phone),
        city=c.city,
        lifecycle_stage=str(c.lifecycle_stage),
        points_balance=c.points_balance,
        total_spent=Decimal(c.total_spent),
    )


def iter_ids(qs: QuerySet[Customer], batch_size: int = 1000) -> AsyncIterator[list[int]]:
    """Ids in batches by keyset pagination: constant memory, safe while rows change."""
    return iter_keyset(qs, batch_size, ids=True)


def iter_customers(qs: QuerySet[Customer], batch_size: int = 1000) -> AsyncIterator[list[Customer]]:
    return iter_keyset(qs, batch_size)


async def snapshot(
    segment: Segment,
    ctx: RuleContext | None = None,
    *,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """Freeze the rule's current members into the segment (replacing any earlier snapshot)."""
    now = (ctx or context()).now
    select_sql, params = rule_members(segment.rule, ctx).sql()
    async with transaction(conn) as tx:
        await tx.execute_query(_delete_members_sql(), [segment.id])
        sql, all_params = _insert_members_sql(select_sql, list(params), segment.id, now)
        await tx.execute_query(sql, all_params)
        total = await SegmentMember.filter(segment_id=segment.id).using_db(tx).count()
        segment.kind, segment.snapshot_at, segment.member_count = SegmentKind.STATIC, now, total
        fields = ["kind", "snapshot_at", "member_count", "updated_at"]
        await segment.save(using_db=tx, update_fields=fields)
    return total


def _delete_members_sql() -> str:
    return f'DELETE FROM "segment_member" WHERE "segment_id" = {mark(1, is_postgres())}'


def _insert_members_sql(
    select_sql: str, params: list[Any], segment_id: int, now: datetime
) -> tuple[str, list[Any]]:
    head = 'INSERT INTO "segment_member" ("segment_id", "customer_id", "created_at") '
    postgres = is_postgres()
    segment, at = numbered(2, postgres, start=len(params) + 1)
    sql = f'{head}SELECT {segment}, s."id", {at} FROM ({select_sql}) s'
    # SQLite binds `?` in text order (these two come first); PostgreSQL binds by number.
    return sql, [*params, segment_id, now] if postgres else [segment_id, now, *params]
