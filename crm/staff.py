"""Staff members as WeCom identifies them, and the roles they get.

Read from the database on every staff message (one indexed query; staff messages are few): a
role changed by any process, or by the admin API, holds from the member's next message on.
A member not yet known is registered with `staff.default_role` (viewer unless configured),
or as admin when listed in `staff.admins`. After that the database is the truth: a member
demoted through the admin API stays demoted (take them off `staff.admins` too).

A deleted member is forgotten, not banned: a later message registers them again as above
(admin when still in `staff.admins`, `staff.default_role` otherwise). API tokens belong to
no member (each has its own role and is revoked on its own), so deleting a member leaves
them alone. The last admin can be neither deleted nor demoted (Conflict): someone must be
left to manage staff from WeCom."""

from __future__ import annotations

from collections.abc import Collection

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from crm.errors import Conflict, NotFound
from crm.models import Role, Staff


async def for_userid(
    userid: str, admins: Collection[str] = (), *, default_role: Role | str = Role.VIEWER
) -> Staff:
    """The staff member with this WeCom userid, registered on first contact (settings:
    crm/staff_config.py)."""
    member = await Staff.get_or_none(userid=userid)
    if member is not None:
        return member
    try:
        role = Role.ADMIN if userid in admins else Role(default_role)
        return await Staff.create(userid=userid, role=role)
    except IntegrityError:  # another request registered them first
        return await Staff.get(userid=userid)


async def find(userid: str) -> Staff | None:
    """The staff member with this WeCom userid, if registered (nobody is registered here)."""
    return await Staff.get_or_none(userid=userid)


async def locked(staff_id: int, tx: BaseDBAsyncClient, *, leaving_admins: bool = False) -> Staff:
    """The member, row-locked in `tx` (PostgreSQL) for a change; NotFound otherwise. With
    `leaving_admins` (a delete, a demotion): Conflict when they are the last admin."""
    member = await Staff.get_or_none(id=staff_id, using_db=tx)
    if member is None:
        raise NotFound(f"员工 {staff_id} 不存在")
    if leaving_admins and Role(member.role) is Role.ADMIN:
        await _keep_an_admin(member, tx)
    qs = Staff.filter(id=staff_id).using_db(tx).select_for_update()
    return await qs.first() or member


async def _keep_an_admin(member: Staff, tx: BaseDBAsyncClient) -> None:
    """Every admin's row is locked, in id order, before counting: two transactions taking
    away the last two admins at once cannot both pass, nor lock each other out."""
    # whole rows: Tortoise drops FOR UPDATE from a values_list() query
    admins = await Staff.filter(role=Role.ADMIN).using_db(tx).select_for_update().order_by("id")
    if not any(admin.id != member.id for admin in admins):
        raise Conflict(f"{member.userid} 是最后一位管理员，请先指定另一位管理员")


async def delete(staff_id: int, tx: BaseDBAsyncClient) -> Staff:
    """Delete the member (not the last admin); returns the deleted record."""
    member = await locked(staff_id, tx, leaving_admins=True)
    await member.delete(using_db=tx)
    return member
