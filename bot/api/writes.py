"""Every write through the API commits with its audit row: one transaction holds both.

Services that take no `conn` still run inside it: Tortoise's transaction context makes the
transaction the default connection of the task until it ends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crm import audit
from crm.transactions import BaseDBAsyncClient, in_transaction

from .registry import Call

__all__ = ["audited", "in_transaction"]


async def audited(
    call: Call,
    tx: BaseDBAsyncClient,
    action: str,
    resource: str,
    resource_id: str | int | None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """The audit row of this call's change (only the fields that changed when both given)."""
    if before is not None and after is not None:
        before, after = audit.changed(before, after)
    await audit.record(
        call.actor, action, resource, resource_id,
        before=before, after=after, request_id=call.request_id, conn=tx,
    )  # fmt: skip
