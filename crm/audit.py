"""The audit log: who changed what, and who read personal data unmasked, from any door.

Append-only: `record` is the only writer, and it takes the caller's transaction so the entry
commits or rolls back with the change it describes. Nothing here updates or deletes."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm.actors import Actor
from crm.clock import Clock, utcnow
from crm.models import AuditEntry

Fields = Mapping[str, Any]
# a door's request id, for the services that audit on their own (complaints): set per request
REQUEST_ID: ContextVar[str | None] = ContextVar("audit_request_id", default=None)


def changed(before: Fields, after: Fields) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs, on both sides (a field new on one side counts)."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


async def record(
    actor: Actor,
    action: str,
    resource: str,
    resource_id: str | int | None = None,
    *,
    before: Fields | None = None,
    after: Fields | None = None,
    request_id: str | None = None,
    conn: BaseDBAsyncClient | None = None,
    clock: Clock | None = None,
) -> AuditEntry:
    """One entry; pass the change's transaction as `conn` so both commit together."""
    return await AuditEntry.create(
        at=utcnow(clock),
        actor=actor.label,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id),
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=request_id or REQUEST_ID.get(),
        using_db=conn,
    )


def _jsonable(fields: Fields | None) -> dict[str, Any] | None:
    if fields is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str | None = None  # an Actor.label
    action: str | None = None
    resource: str | None = None
    resource_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


async def entries(query: AuditQuery, *, after_id: int = 0, limit: int = 100) -> list[AuditEntry]:
    """Entries matching every given filter, oldest first, from `after_id` (cursor) on."""
    qs = AuditEntry.filter(id__gt=after_id)
    for name in ("actor", "action", "resource", "resource_id"):
        if (value := getattr(query, name)) is not None:
            qs = qs.filter(**{name: value})
    if query.since is not None:
        qs = qs.filter(at__gte=query.since)
    if query.until is not None:
        qs = qs.filter(at__lt=query.until)
    return await qs.order_by("id").limit(limit)
