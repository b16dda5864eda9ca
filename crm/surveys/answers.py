"""Reading a customer's chat message as the answer to one question: pure functions, no I/O.

Natural forms are accepted the way people type them on a phone: full-width digits (９),
"10分", Chinese numerals (零 to 十), 非常满意 for a CSAT 5, a choice by its number or its
label, several choices as 1,3 / 1 3 / 1、3. 跳过 skips the question, 退出 leaves the survey.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from crm.models.surveys import QuestionType


@dataclass(frozen=True, slots=True)
class Answer:
    number: int | None = None
    choices: tuple[int, ...] = ()  # 1-based option numbers
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    pass


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class Invalid:
    hint: str  # what to reply, in the customer's words


Parsed = Answer | Skip | Leave | Invalid

SKIP_WORDS = frozenset({"跳过", "跳过本题", "下一题", "略过", "skip"})
LEAVE_WORDS = frozenset({"退出", "退出调查", "结束", "不答了", "不想答了", "quit", "exit"})
_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NUMERALS |= {"六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_SCORE = re.compile(r"^(?:给|打|评)?(\d{1,2}|[零〇一二两三四五六七八九十])(?:分|星|颗星)?$")
_SEPARATORS = re.compile(r"[,，、;；/\s和及]+")
_TRAILING = "。.!！~～?？ "
# Longest first: 非常不满意 must not be read as 满意
_CSAT_WORDS = (
    ("非常不满意", 1), ("很不满意", 1), ("特别不满意", 1), ("极不满意", 1), ("太差了", 1),
    ("很差", 1), ("不太满意", 2), ("不满意", 2), ("较差", 2), ("非常满意", 5),
    ("十分满意", 5), ("特别满意", 5), ("很满意", 5), ("超级满意", 5), ("比较满意", 4),
    ("满意", 4), ("还不错", 4), ("不错", 4), ("一般", 3), ("还行", 3), ("还可以", 3),
    ("凑合", 3), ("中等", 3),
)  # fmt: skip


def normalise(text: str) -> str:
    """Full-width forms folded (９ → 9, ，→ ,), outer spaces and final punctuation dropped."""
    return unicodedata.normalize("NFKC", text).strip().rstrip(_TRAILING).strip()


def parse(kind: QuestionType, text: str, options: Sequence[str] = ()) -> Parsed:
    """The customer's message as an answer, a skip, a leave, or invalid with a hint."""
    cleaned = normalise(text)
    if cleaned.lower() in SKIP_WORDS:
        return Skip()
    if cleaned.lower() in LEAVE_WORDS:
        return Leave()
    if kind is QuestionType.TEXT:
        return _text(text.strip(), options)  # the customer's own words, punctuation kept
    return _READERS[kind](cleaned, options)


def hint(kind: QuestionType, options: Sequence[str] = ()) -> str:
    if kind is QuestionType.NPS:
        return "请回复 0–10 之间的数字"
    if kind is QuestionType.CSAT:
        return "请回复 1–5 之间的数字（5 表示非常满意），也可以直接回复“满意”“一般”等"
    if kind is QuestionType.SINGLE:
        return f"请回复选项编号（1–{len(options)}）或选项文字"
    if kind is QuestionType.MULTI:
        return f"请回复一个或多个选项编号（1–{len(options)}），例如 1,3"
    return "请直接回复您的想法"


def score(text: str) -> int | None:
    """A number written as digits or one Chinese numeral, with 分 / 给 / 打 around it."""
    match = _SCORE.match(text.replace(" ", ""))
    if match is None:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else _NUMERALS[value]


def _nps(text: str, options: Sequence[str]) -> Parsed:
    value = score(text)
    if value is None or not 0 <= value <= 10:
        return Invalid(hint(QuestionType.NPS))
    return Answer(number=value)


def _csat(text: str, options: Sequence[str]) -> Parsed:
    value = score(text)
    if value is None:
        value = next((v for word, v in _CSAT_WORDS if text == word), None)
    if value is None or not 1 <= value <= 5:
        return Invalid(hint(QuestionType.CSAT))
    return Answer(number=value)


def _choice(token: str, options: Sequence[str]) -> int | None:
    """An option's 1-based number, from its number, its letter (A, B...) or its label."""
    value = score(token)
    if value is None and len(token) == 1 and "A" <= token.upper() <= "Z":
        value = ord(token.upper()) - ord("A") + 1
    if value is not None:
        return value if 1 <= value <= len(options) else None
    folded = [normalise(o).lower() for o in options]
    if token.lower() in folded:
        return folded.index(token.lower()) + 1
    return None


def _single(text: str, options: Sequence[str]) -> Parsed:
    chosen = _choice(text, options)
    if chosen is None:
        return Invalid(hint(QuestionType.SINGLE, options))
    return Answer(choices=(chosen,))


def _multi(text: str, options: Sequence[str]) -> Parsed:
    whole = _choice(text, options)  # a label may itself hold a separator
    tokens = [text] if whole is not None else [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) == 1 and whole is None and text.isdigit() and len(options) < 10:
        tokens = list(text)  # 13 for 1 and 3, typed without a separator
    chosen = [_choice(t, options) for t in tokens]
    if not chosen or any(c is None for c in chosen):
        return Invalid(hint(QuestionType.MULTI, options))
    return Answer(choices=tuple(sorted({c for c in chosen if c is not None})))


def _text(text: str, options: Sequence[str]) -> Parsed:
    if not text:
        return Invalid(hint(QuestionType.TEXT))
    return Answer(text=text)


_READERS = {
    QuestionType.NPS: _nps,
    QuestionType.CSAT: _csat,
    QuestionType.SINGLE: _single,
    QuestionType.MULTI: _multi,
    QuestionType.TEXT: _text,
}
