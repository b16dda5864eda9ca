"""Masking personal data shown to staff: previews, exports, profiles, staff replies.

Phone, name (nickname and real name), birthday and address are personal data. Only a role
allowed `pii.read` (admin) sees them unmasked; every door masks through `masked`, and an
unmasked read is written to the audit log (`record_unmasked_read`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient

from crm import audit
from crm.actors import Actor
from crm.models.staff import Role
from crm.permissions import Action, allowed
from crm.phones import mainland_digits


class Personal(StrEnum):
    PHONE = "phone"
    NAME = "name"  # display name (nickname or the name a list gave)
    REAL_NAME = "real_name"
    BIRTHDAY = "birthday"
    ADDRESS = "address"


def mask_phone(phone: str | None) -> str | None:
    """+8613812345678 -> 138****5678 (first 3 and last 4 digits stay)."""
    if not phone:
        return phone
    digits = mainland_digits(phone)
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """张三丰 -> 张**; keeps the first character only."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_birthday(_: object) -> str:
    """Nothing of a birthday stays: month and day alone are enough to re-identify."""
    return "****-**-**"


def mask_address(address: str | None) -> str | None:
    """上海市静安区南京西路 1 号 -> 上海市静安区****: the district at most stays."""
    if not address:
        return address
    return address[: min(6, len(address) // 2)] + "****"


def sees_unmasked(role: Role | None) -> bool:
    return role is not None and allowed(role, Action.PII_READ)


def masked(role: Role | None, field: str, value: str | date | None) -> str | None:
    """`value` as `role` may see it: unmasked for admin, masked for the others. A field that
    is not personal data is returned as it is."""
    if value is None or value == "":
        return None if value is None else ""
    if sees_unmasked(role) or field not in Personal.__members__.values():
        return value.isoformat() if isinstance(value, date) else value
    return _MASKS[Personal(field)](value if not isinstance(value, date) else value.isoformat())


_MASKS = {
    Personal.PHONE: mask_phone,
    Personal.NAME: mask_name,
    Personal.REAL_NAME: mask_name,
    Personal.BIRTHDAY: mask_birthday,
    Personal.ADDRESS: mask_address,
}


async def record_unmasked_read(
    actor: Actor,
    resource: str,
    resource_ids: Iterable[int | str],
    fields: Iterable[str],
    *,
    request_id: str | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """One `pii.read` audit row per record shown unmasked; 0 rows for a role that sees masks."""
    if not sees_unmasked(actor.role):
        return 0
    shown = sorted(set(fields))
    count = 0
    for resource_id in resource_ids:
        await audit.record(
            actor, Action.PII_READ.value, resource, resource_id,
            after={"fields": shown}, request_id=request_id, conn=conn,
        )  # fmt: skip
        count += 1
    return count
