"""Birthdays in the solar or the lunar (农历) calendar, and which of them fall on given days.

A birthday is stored as month*100+day in its own calendar (`birthday_md`), so "birthday today"
is an indexed lookup of a few values. Rules the operations team expects:
- a solar 29 Feb birthday is celebrated on 28 Feb in common years,
- a lunar birthday on day 30 is celebrated on day 29 when the month is short,
- a birthday in a lunar leap month (闰月) is celebrated in the ordinary month of that number,
  and nobody's lunar birthday falls inside a leap month.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lunar_python import Lunar, LunarMonth, Solar

from crm.errors import InvalidInput
from crm.models.customers import BirthdayCalendar

_LUNAR_PREFIXES = ("农历", "阴历", "lunar:", "lunar ")
_PATTERN = re.compile(
    r"(?:(?P<year>\d{4})[-/.年]?)?(?P<leap>闰)?(?P<month>\d{1,2})[-/.月]?(?P<day>\d{1,2})日?"
)


@dataclass(frozen=True)
class Birthday:
    calendar: BirthdayCalendar
    month: int
    day: int
    leap: bool = False
    year: int | None = None

    @property
    def md(self) -> int:
        return self.month * 100 + self.day


def parse_birthday(text: str) -> Birthday:
    """'1990-08-15', '08-15', '农历1990-08-15', '农历闰04-12', 'lunar:1990-08-15'."""
    raw = text.strip()
    kind = BirthdayCalendar.SOLAR
    for prefix in _LUNAR_PREFIXES:
        if raw.lower().startswith(prefix):
            kind, raw = BirthdayCalendar.LUNAR, raw[len(prefix) :].strip()
    match = _PATTERN.fullmatch(raw)
    if match is None:
        raise InvalidInput(f"无法识别的生日：{text!r}（例如 1990-08-15 或 农历1990-08-15）")
    year = int(match["year"]) if match["year"] else None
    birthday = Birthday(kind, int(match["month"]), int(match["day"]), bool(match["leap"]), year)
    _check(birthday, text)
    return birthday


def _check(b: Birthday, text: str) -> None:
    if b.calendar is BirthdayCalendar.SOLAR:
        if b.leap:
            raise InvalidInput(f"公历生日没有闰月：{text!r}")
        try:
            date(b.year or 2000, b.month, b.day)
        except ValueError:
            raise InvalidInput(f"不存在的日期：{text!r}") from None
    elif not (1 <= b.month <= 12 and 1 <= b.day <= 30):
        raise InvalidInput(f"不存在的农历日期：{text!r}")
    elif b.year is not None:
        _lunar_to_solar(b, text)


def _lunar_to_solar(b: Birthday, text: str) -> date:
    try:
        solar = Lunar.fromYmd(b.year, -b.month if b.leap else b.month, b.day).getSolar()
    except Exception:  # lunar_python raises bare Exception for impossible dates
        raise InvalidInput(f"不存在的农历日期：{text!r}") from None
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def birthday_fields(b: Birthday | None) -> dict[str, Any]:
    """The Customer columns for a birthday (None clears it)."""
    if b is None:
        return {"birthday": None, "birthday_md": None, "birthday_leap": False}
    solar: date | None = None
    if b.year is not None:
        if b.calendar is BirthdayCalendar.SOLAR:
            solar = date(b.year, b.month, b.day)
        else:
            solar = _lunar_to_solar(b, f"{b.year}-{b.month}-{b.day}")
    return {
        "birthday": solar,
        "birthday_calendar": b.calendar,
        "birthday_md": b.md,
        "birthday_leap": b.leap,
    }


def solar_keys(day: date) -> set[int]:
    keys = {day.month * 100 + day.day}
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        keys.add(229)
    return keys


@functools.lru_cache(maxsize=1024)
def lunar_keys(day: date) -> frozenset[int]:
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    month, lday = lunar.getMonth(), lunar.getDay()
    if month < 0:
        return frozenset()
    keys = {month * 100 + lday}
    if lday == 29 and LunarMonth.fromYm(lunar.getYear(), month).getDayCount() == 29:
        keys.add(month * 100 + 30)
    return frozenset(keys)


@dataclass(frozen=True)
class BirthdayKeys:
    solar: frozenset[int]
    lunar: frozenset[int]


def keys_between(start: date, end: date) -> BirthdayKeys:
    """The birthday_md values celebrated on any day from start to end (inclusive)."""
    if end < start:
        raise InvalidInput("生日区间的结束日期早于开始日期")
    solar: set[int] = set()
    lunar: set[int] = set()
    day = start
    while day <= end:
        solar |= solar_keys(day)
        lunar |= lunar_keys(day)
        day += timedelta(days=1)
    return BirthdayKeys(frozenset(solar), frozenset(lunar))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def lunar_year(solar_birth: date) -> int:
    """The lunar year someone born on this solar date was born in (for display)."""
    return int(
        Solar.fromYmd(solar_birth.year, solar_birth.month, solar_birth.day).getLunar().getYear()
    )
