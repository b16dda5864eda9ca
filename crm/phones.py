"""Phone numbers: one canonical form (E.164) so the same person is found by phone."""

from __future__ import annotations

import re

from crm.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s\-().\u3000]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def normalize_phone(raw: str) -> str:
    """'138 1234 5678', '+86-138…', '0086138…' -> '+8613812345678'; others must be E.164."""
    text = _SEPARATORS.sub("", raw.strip()).replace("＋", "+")
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if _MAINLAND_MOBILE.fullmatch(text):
        return "+86" + text
    if _E164.fullmatch(text) and not text.startswith("+86"):
        return text
    raise InvalidInput(f"不是有效的手机号：{raw!r}（应为 11 位大陆手机号或 +国家码 号码）")


def normalize_optional_phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    return normalize_phone(raw)


def mainland_digits(phone: str) -> str:
    """The 11 digits staff recognise for a mainland number, the E.164 form otherwise."""
    return phone[3:] if phone.startswith("+86") else phone
