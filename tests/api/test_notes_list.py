"""A customer's notes are a list like the others: cursor pages, a `limit` cap and `sort`."""

from __future__ import annotations

from crm.models import Customer, Role
from tests.api.conftest import Api, assert_error


async def test_notes_page_and_sort(api: Api) -> None:
    one = await Customer.create(openid="o1", subscribed=True)
    for text in ("一", "二", "三"):
        await api.ok("POST", f"/customers/{one.id}/notes", json={"text": text})
    path = f"/customers/{one.id}/notes"
    first = await api.ok("GET", path + "?limit=2", Role.VIEWER)
    assert [n["text"] for n in first["items"]] == ["三", "二"] and first["next_cursor"]
    rest = await api.ok("GET", f"{path}?limit=2&cursor={first['next_cursor']}", Role.VIEWER)
    assert [n["text"] for n in rest["items"]] == ["一"] and rest["next_cursor"] is None
    oldest = await api.ok("GET", path + "?sort=id", Role.VIEWER)
    assert [n["text"] for n in oldest["items"]] == ["一", "二", "三"]
    status, body = await api.call("GET", path + "?limit=1000", Role.VIEWER)
    assert status == 400 and assert_error(body, "validation_error")["details"][0]["field"]
