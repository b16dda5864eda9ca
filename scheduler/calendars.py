"""Which occasions fall on a date: China's public holidays, the traditional festivals and the
brand's own dates, for holiday campaigns (`schedule: {holidays: {at, include: [...]}}`).

Public holidays come from chinesecalendar, which knows only the years the State Council has
announced (it raises NotImplementedError beyond them, until its yearly release). For such a
year the public-holiday part is skipped, never guessed; festivals (by lunar date, from
lunar-python) and brand dates still fire. A public holiday falls on the first day of its
official break; a festival on its lunar day; 除夕 on the last day of the 12th lunar month
(the 29th or the 30th), i.e. the eve of 春节.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from chinese_calendar import constants
from lunar_python import Solar

FESTIVALS: Mapping[str, tuple[int, int]] = {
    "春节": (1, 1), "元宵": (1, 15), "端午": (5, 5),
    "七夕": (7, 7), "中秋": (8, 15), "重阳": (9, 9),
}  # fmt: skip
NEW_YEARS_EVE = "除夕"
PUBLIC_HOLIDAYS: Mapping[str, str] = {  # our name -> chinesecalendar's holiday name
    "元旦": "New Year's Day",
    "春节假期": "Spring Festival",
    "清明假期": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午假期": "Dragon Boat Festival",
    "中秋假期": "Mid-autumn Festival",
    "国庆节": "National Day",
}


@dataclass(frozen=True, slots=True)
class PublicHolidaySource:
    """The official days off, by date, and the years they are known for (injectable)."""

    days: Mapping[date, str]

    @property
    def years(self) -> range:
        return range(min(self.days).year, max(self.days).year + 1) if self.days else range(0)

    def knows(self, year: int) -> bool:
        return year in self.years


CHINESE_CALENDAR = PublicHolidaySource({d: str(h) for d, h in constants.holidays.items()})


@cache
def _lunar(day: date) -> tuple[int, int]:
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getMonth(), lunar.getDay()  # a leap month is negative: never a festival


def festivals_on(day: date) -> set[str]:
    month_day = _lunar(day)
    names = {name for name, md in FESTIVALS.items() if md == month_day}
    if _lunar(day + timedelta(days=1)) == (1, 1):
        names.add(NEW_YEARS_EVE)
    return names


def _brand_matches(when: str, day: date) -> bool:
    return when == day.isoformat() or when == day.isoformat()[5:]


class HolidayCalendar:
    def __init__(
        self, brand_dates: Mapping[str, str], source: PublicHolidaySource = CHINESE_CALENDAR
    ) -> None:
        self.brand_dates, self.source = dict(brand_dates), source

    def names(self) -> set[str]:
        """Every name a campaign may include."""
        return {*FESTIVALS, NEW_YEARS_EVE, *PUBLIC_HOLIDAYS, *self.brand_dates}

    def occasions(self, day: date) -> set[str]:
        """What falls on `day` (public holidays only when the year is known)."""
        brand = {name for name, when in self.brand_dates.items() if _brand_matches(when, day)}
        return festivals_on(day) | brand | self.public_on(day)

    def public_on(self, day: date) -> set[str]:
        if not self.source.knows(day.year):
            return set()
        name = self.source.days.get(day)
        if name is None or self.source.days.get(day - timedelta(days=1)) == name:
            return set()  # not a holiday, or not the first day of its break
        return {ours for ours, theirs in PUBLIC_HOLIDAYS.items() if theirs == name}

    def included(self, day: date, include: Collection[str]) -> set[str]:
        """The included occasions on `day`; an empty `include` means every one."""
        found = self.occasions(day)
        return found & set(include) if include else found

    def missing_years(self, today: date, lookahead_days: int) -> list[int]:
        """The years from today to the lookahead without public-holiday data."""
        last = today + timedelta(days=lookahead_days)
        return [y for y in range(today.year, last.year + 1) if not self.source.knows(y)]
