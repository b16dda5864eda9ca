"""Tags staff give and take by hand."""

from __future__ import annotations

import pytest

from crm.actors import Actor
from crm.errors import InvalidInput
from crm.models import CustomerTag, Role
from crm.tagging import tag_by_staff, untag
from tests.crm.conftest import MakeCustomer

STAFF = Actor.staff("li", Role.OPERATOR)


async def _tags(customer_id: int) -> dict[str, str]:
    rows = await CustomerTag.filter(customer_id=customer_id).values_list("tag__name", "source")
    return {str(name): str(source) for name, source in rows}


async def test_staff_tag_once_and_take_it_off(make_customer: MakeCustomer) -> None:
    c = await make_customer(tags=("vip",))
    assert await tag_by_staff(c.id, " 回头客 ", actor=STAFF) is True
    assert await tag_by_staff(c.id, "回头客", actor=STAFF) is False
    assert await _tags(c.id) == {"vip": "staff", "回头客": "staff"}
    assert await untag(c.id, "vip", actor=STAFF) is True
    assert await untag(c.id, "vip", actor=STAFF) is False
    assert await untag(c.id, "从未有过", actor=STAFF) is False
    assert await _tags(c.id) == {"回头客": "staff"}


@pytest.mark.parametrize("name", ["", "   ", "长" * 65])
async def test_a_tag_name_must_fit(make_customer: MakeCustomer, name: str) -> None:
    c = await make_customer()
    with pytest.raises(InvalidInput):
        await tag_by_staff(c.id, name, actor=STAFF)
    assert await _tags(c.id) == {}
