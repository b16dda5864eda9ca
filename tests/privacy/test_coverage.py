"""Every table that refers to a customer is covered by erasure and export: a new model with a
customer reference fails here until crm.pipl.coverage and crm.pipl.export name it."""

from __future__ import annotations

from tortoise import Tortoise

from crm.database import APP
from crm.pipl import coverage
from crm.pipl.export import SECTIONS, export_customer
from tests.privacy.support import seed_person


async def test_erasure_covers_every_customer_reference(database_url: str) -> None:
    assert coverage.customer_references() == set(coverage.REFERENCES)


async def test_export_covers_every_customer_reference(database_url: str) -> None:
    declared = set(coverage.REFERENCES) | set(coverage.ID_COLUMNS)
    assert set(SECTIONS) == declared


async def test_the_export_holds_a_row_from_every_table(database_url: str) -> None:
    person = await seed_person()
    models = Tortoise.apps[APP]
    for reference in coverage.REFERENCES:  # the seed has something everywhere
        assert await models[reference.split(".")[0]].exists(), reference
    held = await export_customer(person.merged.id)
    assert held["customer_id"] == person.live.id
    empty = sorted({s for s in SECTIONS.values() if not held[s]} - {"rfm"})
    assert empty == []
    assert {r["id"] for r in held["records"]} == {person.live.id, person.merged.id}
