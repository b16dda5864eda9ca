"""The audit log: an entry commits and rolls back with the change it describes."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from crm import audit
from crm.actors import Actor
from crm.models import AuditEntry, Role


def test_changed_keeps_only_the_fields_that_differ() -> None:
    before, after = audit.changed({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
    assert (before, after) == ({"b": 2, "c": None}, {"b": 3, "c": 4})


async def test_an_entry_rolls_back_with_its_transaction(database_url: str) -> None:
    actor = Actor.staff("lisi", Role.OPERATOR)
    with pytest.raises(RuntimeError):
        async with in_transaction() as tx:
            await audit.record(actor, "customers.tag", "customer", 7, after={"tag": "VIP"}, conn=tx)
            raise RuntimeError("the change failed")
    assert await AuditEntry.all().count() == 0
    await audit.record(actor, "customers.tag", "customer", 7, after={"tag": "VIP"})
    [entry] = await audit.entries(audit.AuditQuery(actor="staff:lisi", resource_id="7"))
    assert (entry.action, entry.after, entry.resource_id) == ("customers.tag", {"tag": "VIP"}, "7")
    assert await audit.entries(audit.AuditQuery(actor="staff:other")) == []
