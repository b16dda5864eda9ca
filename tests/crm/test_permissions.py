"""The permission table, pinned: a change to who may do what must change this file too."""

from __future__ import annotations

import pytest

from crm.actors import Actor
from crm.errors import PermissionDenied
from crm.models import Role
from crm.permissions import PERMISSIONS, Action, allowed, require

READS = {
    "customers.read",
    "segments.read",
    "campaigns.read",
    "complaints.read",
    "surveys.read",
    "staff.read",
    "reports.read",
}
DAY_TO_DAY = READS | {
    "customers.write",
    "customers.merge",
    "tags.write",
    "keyword_rules.write",
    "points.adjust",
    "orders.write",
    "segments.write",
    "campaigns.write",
    "campaigns.send",
    "complaints.handle",
    "surveys.write",
}
ADMIN_ONLY = {"staff.manage", "tokens.manage", "audit.read", "pii.read", "pii.manage"}


def test_the_table() -> None:
    assert {a.value for a in Action} == DAY_TO_DAY | ADMIN_ONLY
    assert {a.value for a in PERMISSIONS[Role.ADMIN]} == DAY_TO_DAY | ADMIN_ONLY
    assert {a.value for a in PERMISSIONS[Role.OPERATOR]} == DAY_TO_DAY
    assert {a.value for a in PERMISSIONS[Role.VIEWER]} == READS
    assert set(PERMISSIONS) == set(Role)  # every role has a row


@pytest.mark.parametrize("action", list(Action))
def test_allowed_reads_the_table(action: Action) -> None:
    assert allowed(Role.ADMIN, action)
    assert allowed(Role.OPERATOR, action) is (action.value in DAY_TO_DAY)
    assert allowed(Role.VIEWER, action) is (action.value in READS)


def test_require_lets_an_allowed_actor_through() -> None:
    require(Actor.staff("li", Role.OPERATOR), Action.POINTS_ADJUST)
    require(Actor.api_token("t1", Role.VIEWER), Action.SEGMENTS_READ)
    require(Actor.system("nightly"), Action.CUSTOMERS_MERGE)  # the system's own jobs


def test_require_refuses_naming_actor_and_action() -> None:
    with pytest.raises(PermissionDenied, match=r"staff:li.*operator.*staff\.manage"):
        require(Actor.staff("li", Role.OPERATOR), Action.STAFF_MANAGE)
    with pytest.raises(PermissionDenied):
        require(Actor.api_token("t2", Role.VIEWER), Action.TAGS_WRITE)
    with pytest.raises(PermissionDenied):  # a customer has no role: no door lets it in
        require(Actor.customer(42), Action.CUSTOMERS_READ)
