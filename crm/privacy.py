"""Masking personal data shown to staff in previews and exports."""

from __future__ import annotations

from crm.phones import mainland_digits


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
