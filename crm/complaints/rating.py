"""Reading a customer's satisfaction answer (1–5): a digit, full-width or not, with 分 or 星,
or the usual words. Anything else is not an answer (the chat goes on as normal)."""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"^([1-5])\s*(分|星|颗星)?$")
_WORDS = {
    "非常满意": 5, "很满意": 5, "满意": 4, "还行": 3, "一般": 3, "不满意": 2,
    "不太满意": 2, "很不满意": 1, "非常不满意": 1, "很差": 1,
}  # fmt: skip
_TRIM = "。.!！~～ "


def parse(text: str) -> int | None:
    plain = unicodedata.normalize("NFKC", text).strip().strip(_TRIM)
    match = _NUMBER.match(plain)
    if match:
        return int(match.group(1))
    return _WORDS.get(plain)
