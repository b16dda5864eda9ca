from __future__ import annotations

from datetime import date

import pytest

from crm.birthdays import birthday_fields, keys_between, lunar_keys, parse_birthday, solar_keys
from crm.errors import InvalidInput
from crm.models import BirthdayCalendar


def test_parse_solar_and_lunar_forms() -> None:
    solar = parse_birthday("1990-08-15")
    assert (solar.calendar, solar.md, solar.year) == (BirthdayCalendar.SOLAR, 815, 1990)
    assert parse_birthday("1990年8月15日").md == 815
    lunar = parse_birthday("农历1990-08-15")
    assert (lunar.calendar, lunar.md) == (BirthdayCalendar.LUNAR, 815)
    leap = parse_birthday("农历闰04-12")
    assert leap.leap and leap.year is None and leap.md == 412


def test_lunar_birthday_with_year_stores_the_solar_date_of_birth() -> None:
    fields = birthday_fields(parse_birthday("农历1990-08-15"))
    assert fields["birthday"] == date(1990, 10, 3)
    assert fields["birthday_calendar"] is BirthdayCalendar.LUNAR
    assert fields["birthday_md"] == 815


@pytest.mark.parametrize(
    "text", ["1990-02-30", "13-01", "农历2024-闰02-10", "生日", "闰1990-04-01"]
)
def test_impossible_birthdays_are_rejected(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_birthday(text)


def test_feb_29_is_celebrated_on_feb_28_in_common_years() -> None:
    assert solar_keys(date(2026, 2, 28)) == {228, 229}
    assert solar_keys(date(2028, 2, 28)) == {228}


def test_lunar_keys_follow_the_lunar_calendar() -> None:
    assert lunar_keys(date(2026, 9, 25)) == {815}  # 中秋 2026
    # 2023-03-22 .. 2023-04-19 is 闰二月: nobody's lunar birthday falls in it
    assert lunar_keys(date(2023, 4, 1)) == frozenset()


def test_keys_between_covers_each_day() -> None:
    keys = keys_between(date(2026, 12, 30), date(2027, 1, 2))
    assert keys.solar == {1230, 1231, 101, 102}
    assert len(keys.lunar) == 4
