"""Masking personal data shown to staff: previews, exports, profiles, staff replies.

Phone, name (nickname and real name), birthday and address are personal data. Only a role
allowed `pii.read` (admin) sees them unmasked; every door masks through `masked`, and an
unmasked read is written to the audit log (`record_unmasked_read`).

Free text (what customers write, ticket notes, survey answers) is masked with `mask_text`:
mainland mobile numbers in any common formatting and ID-card-like 18-digit numbers inside it.
An admin shown such a text unmasked is audited with the field `TEXT_FIELD`."""

from __future__ import annotations

import re
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


TEXT_FIELD = "message_text"
# any text holding a phone or an ID number has a run of 3 digits: the cheap test comes first
_DIGIT_RUN = re.compile(r"\d{3}")
_IN_TEXT = re.compile(  # the leading lookahead lets the engine skip non-digits fast (3x)
    r"(?=[+\d])(?<![\d+])(?:(?P<id>\d{17}[\dXx])(?![\dXx])"
    r"|(?P<phone>(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2})(?!\d))"
)
_NON_DIGIT = re.compile(r"\D")


def mask_id_number(number: str) -> str:
    """110101199003071234 -> 110***********1234."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def _mask_found(match: re.Match[str]) -> str:
    if match.group("id"):
        return mask_id_number(match.group("id"))
    digits = _NON_DIGIT.sub("", match.group("phone"))[-11:]
    return mask_phone(digits) or ""


def mask_personal_text(text: str) -> str:
    """Phones (13812345678, 138-1234-5678, +86 138 1234 5678) and ID numbers masked."""
    if not _DIGIT_RUN.search(text):
        return text
    return _IN_TEXT.sub(_mask_found, text)


def holds_personal(text: str | None) -> bool:
    """Whether `mask_personal_text` would change `text` (its unmasked read is audited)."""
    if not text or not _DIGIT_RUN.search(text):
        return False
    return _IN_TEXT.search(text) is not None


def mask_text(role: Role | None, text: str | None) -> str | None:
    """Free text as `role` may see it: unmasked for admin, personal numbers masked otherwise."""
    if not text or sees_unmasked(role):
        return text
    return mask_personal_text(text)


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


async def record_text_read(
    actor: Actor,
    resource: str,
    resource_id: int | str,
    texts: Iterable[str | None],
    *,
    request_id: str | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """A `pii.read` row (field `TEXT_FIELD`) when an admin is shown texts holding personal
    numbers unmasked; 0 rows otherwise."""
    if not sees_unmasked(actor.role) or not any(holds_personal(t) for t in texts):
        return 0
    return await record_unmasked_read(
        actor, resource, [resource_id], [TEXT_FIELD], request_id=request_id, conn=conn
    )
