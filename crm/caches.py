"""The process-local caches in crm/, cleared together (tests; after merging customers)."""

from __future__ import annotations

from crm import customers, staff, tagging


def clear() -> None:
    customers.cache.clear()
    staff.forget_cached()
    tagging.forget_cached()
