"""The process-local caches in crm/, cleared together (tests; after merging customers).

None of them decides anything: customers briefly, as who they are (crm.customers), tag ids and
which tags a customer already has (tags stick). Staff roles are read every time (crm.staff)."""

from __future__ import annotations

from crm import customers, tagging
from crm.surveys import responses as survey_responses


def clear() -> None:
    customers.cache.clear()
    tagging.forget_cached()
    survey_responses.forget_none_live()
