"""/v1/audit: the audit log, read only (admin). No endpoint edits or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from bot.api.models import Out
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from crm.models import AuditEntry
from crm.permissions import Action


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    action: str
    resource: str
    resource_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


class AuditQuery(PageQuery):
    sort: Literal["id", "-id"] = "-id"
    actor: str | None = Field(None, max_length=96, description="api_token:3, staff:zhangsan")
    action: str | None = Field(None, max_length=64, description="segments.create, pii.read, …")
    resource: str | None = Field(None, max_length=32, description="segment, customer, …")
    resource_id: str | None = Field(None, max_length=64)
    since: AwareDatetime | None = Field(None, description="from this time on (inclusive)")
    until: AwareDatetime | None = Field(None, description="before this time (exclusive)")


@API.route("GET", "/v1/audit", action=Action.AUDIT_READ, tag="audit",
           query=AuditQuery, response=Page[AuditOut])  # fmt: skip
async def list_audit(call: Call) -> Page[AuditOut]:
    """Audit entries, filtered by actor, action, resource and period."""
    q: AuditQuery = call.query
    filters = {k: getattr(q, k) for k in ("actor", "action", "resource", "resource_id")}
    qs = AuditEntry.filter(**{k: v for k, v in filters.items() if v is not None})
    if q.since is not None:
        qs = qs.filter(at__gte=q.since)
    if q.until is not None:
        qs = qs.filter(at__lt=q.until)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[AuditOut](items=[AuditOut.model_validate(r) for r in rows], next_cursor=cursor)
