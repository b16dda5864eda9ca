"""Staff members as WeCom identifies them, and the roles they get.

Read from the database on every staff message (one indexed query; staff messages are few): a
role changed by any process, or by the admin API, holds from the member's next message on.
A member not yet known is registered with `staff.default_role` (viewer unless configured),
or as admin when listed in `staff.admins`. After that the database is the truth: a member
demoted through the admin API stays demoted (take them off `staff.admins` too)."""

from __future__ import annotations

from collections.abc import Collection

from tortoise.exceptions import IntegrityError

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
