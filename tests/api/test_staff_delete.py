"""Deleting staff records (admin only): audited, never the last admin (nor demoting them),
and a deleted member comes back by the unchanged `staff.admins` / `staff.default_role` rules."""

from __future__ import annotations

import asyncio

import pytest

from crm import staff
from crm.models import AuditEntry, Role, Staff
from tests.api.conftest import Api, assert_error


async def test_an_admin_deletes_a_member_audited(api: Api) -> None:
    member = await Staff.create(userid="zhangsan", name="张三", role=Role.OPERATOR)
    status, _ = await api.call("DELETE", f"/staff/{member.id}", headers={"X-Request-Id": "del-1"})
    assert status == 204
    assert not await Staff.exists(id=member.id)
    entry = await AuditEntry.get(action="staff.delete")
    assert (entry.resource, entry.resource_id, entry.request_id) == (
        "staff",
        str(member.id),
        "del-1",
    )
    assert entry.before == {"userid": "zhangsan", "name": "张三", "role": "operator"}
    status, body = await api.call("DELETE", f"/staff/{member.id}")
    assert status == 404
    assert_error(body, "not_found")


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.VIEWER])
async def test_only_an_admin_may_delete(api: Api, role: Role) -> None:
    member = await Staff.create(userid="zhangsan", role=Role.VIEWER)
    status, body = await api.call("DELETE", f"/staff/{member.id}", role)
    assert status == 403
    assert_error(body, "forbidden")
    assert await Staff.exists(id=member.id) and not await AuditEntry.exists()


async def test_the_last_admin_is_neither_deleted_nor_demoted(api: Api) -> None:
    boss = await Staff.create(userid="boss", role=Role.ADMIN)
    other = await Staff.create(userid="boss2", role=Role.ADMIN)
    assert (await api.call("DELETE", f"/staff/{other.id}"))[0] == 204
    status, body = await api.call("DELETE", f"/staff/{boss.id}")
    assert status == 409
    assert "最后一位管理员" in assert_error(body, "conflict")["message"]
    status, body = await api.call("PATCH", f"/staff/{boss.id}", json={"role": "operator"})
    assert status == 409
    assert_error(body, "conflict")
    assert (await Staff.get(id=boss.id)).role is Role.ADMIN
    renamed = await api.ok("PATCH", f"/staff/{boss.id}", json={"name": "老板"})
    assert renamed["role"] == "admin" and renamed["name"] == "老板"
    assert await AuditEntry.filter(action="staff.delete").count() == 1


async def test_two_admins_deleted_at_once_leave_one(api: Api) -> None:
    ids = [(await Staff.create(userid=u, role=Role.ADMIN)).id for u in ("a1", "a2")]
    answers = await asyncio.gather(*(api.call("DELETE", f"/staff/{i}") for i in ids))
    assert sorted(status for status, _ in answers) == [204, 409]
    assert await Staff.filter(role=Role.ADMIN).count() == 1
    assert await AuditEntry.filter(action="staff.delete").count() == 1


async def test_a_deleted_member_registers_again_by_the_config(api: Api) -> None:
    boss = await Staff.create(userid="boss", role=Role.ADMIN)
    kept = await Staff.create(userid="keeper", role=Role.ADMIN)
    demoted = await Staff.create(userid="zhangsan", role=Role.OPERATOR)
    for member in (boss, demoted):
        assert (await api.call("DELETE", f"/staff/{member.id}"))[0] == 204
    again = await staff.for_userid("boss", admins=("boss",), default_role=Role.VIEWER)
    assert again.role is Role.ADMIN and again.id != boss.id
    again = await staff.for_userid("zhangsan", admins=("boss",), default_role=Role.VIEWER)
    assert again.role is Role.VIEWER
    assert await Staff.exists(id=kept.id)
