"""crm.tagging's per-process memory of tag ids never outlives a tag deleted elsewhere: a dead
id is caught by its foreign key and retried live, and everything is forgotten after
REMEMBER_SECONDS. (Across real processes: tests/api/test_tag_processes.py.)"""

from __future__ import annotations

import pytest

from crm import tagging
from crm.models import Customer, CustomerTag, Tag
from nlp import TagHit, TagSource

HIT = TagHit("关注物流", TagSource.KEYWORD)


async def _tags(customer: Customer) -> list[str]:
    rows = await CustomerTag.filter(customer_id=customer.id).values_list("tag__name", flat=True)
    return [str(name) for name in rows]


async def _deleted_elsewhere() -> None:
    """As another process's DELETE /v1/tags does: this process's memory is not told."""
    await Tag.filter(name=HIT.tag).delete()


async def test_a_dead_id_is_retried_with_the_live_one(database_url: str) -> None:
    tagging.forget_cached()
    one = await Customer.create(openid="o1")
    two = await Customer.create(openid="o2")
    assert await tagging.apply(one.id, [HIT]) == [HIT.tag]
    await _deleted_elsewhere()
    assert await tagging.apply(two.id, [HIT]) == [HIT.tag]
    assert await _tags(two) == [HIT.tag]
    assert await tagging.apply(one.id, [HIT]) == [HIT.tag]  # its old pair was forgotten too


async def test_what_is_remembered_expires(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagging.forget_cached()
    one = await Customer.create(openid="o1")
    assert await tagging.apply(one.id, [HIT]) == [HIT.tag]
    await _deleted_elsewhere()
    assert await tagging.apply(one.id, [HIT]) == []  # remembered: no query
    monkeypatch.setattr(tagging, "REMEMBER_SECONDS", 0.0)
    assert await tagging.apply(one.id, [HIT]) == [HIT.tag]
    assert await _tags(one) == [HIT.tag]
