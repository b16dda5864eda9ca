"""Staff members as WeCom identifies them."""

from __future__ import annotations

from collections.abc import Collection

from tortoise.exceptions import IntegrityError

from crm.models import Role, Staff

_cache: dict[str, Staff] = {}


async def for_userid(userid: str, admins: Collection[str] = ()) -> Staff:
    """The staff member with this WeCom userid, registered on first contact."""
    member = _cache.get(userid)
    if member is None:
        member = await _get_or_create(userid, Role.ADMIN if userid in admins else Role.OPERATOR)
        _cache[userid] = member
    return member


async def _get_or_create(userid: str, role: Role) -> Staff:
    member = await Staff.get_or_none(userid=userid)
    if member is not None:
        return member
    try:
        return await Staff.create(userid=userid, role=role)
    except IntegrityError:
        return await Staff.get(userid=userid)


def forget_cached() -> None:
    _cache.clear()
