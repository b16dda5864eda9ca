"""Tags named in an import file: tag ids remembered for the whole run, and each batch's
customer tags written in one INSERT … ON CONFLICT DO NOTHING (a tag given twice stays one)."""

from __future__ import annotations

from crm.clock import SYSTEM_CLOCK, Clock
from crm.importing.bulk import insert_ignoring_conflicts
from crm.models import Tag, TagSource


class TagIds:
    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self._ids: dict[str, int] = {}
        self._clock = clock

    async def ids(self, names: set[str]) -> dict[str, int]:
        missing = names - self._ids.keys()
        if missing:
            now = self._clock.now()
            await insert_ignoring_conflicts(
                "tag", ("name", "created_at"), [(n, now) for n in missing]
            )
            for tag_id, name in await Tag.filter(name__in=list(missing)).values_list("id", "name"):
                self._ids[name] = tag_id
        return {n: self._ids[n] for n in names}

    async def apply(self, wanted: dict[int, set[str]]) -> None:
        """Give each customer (by id) its tags, source `import`; tags it has stay as they are."""
        ids = await self.ids({n for names in wanted.values() for n in names})
        now = self._clock.now()
        rows = [
            (customer_id, ids[name], TagSource.IMPORT.value, now)
            for customer_id, names in wanted.items()
            for name in sorted(names)
        ]
        columns = ("customer_id", "tag_id", "source", "created_at")
        await insert_ignoring_conflicts("customer_tag", columns, rows)
