"""Holiday dates: public holidays (chinesecalendar), lunar festivals incl. 除夕 in a 29-day
12th month, brand dates; a year chinesecalendar does not know is skipped and reported loudly
(log, /healthz, one WeCom notice via SentNotice)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from aiohttp.test_utils import TestClient

from bot.keys import SCHEDULER
from crm.models import SentNotice
from scheduler.calendar_watch import calendar_status, check_calendar
from scheduler.calendars import CHINESE_CALENDAR, HolidayCalendar, PublicHolidaySource
from scheduler.config import SchedulerSettings

UNTIL_2025 = PublicHolidaySource({d: n for d, n in CHINESE_CALENDAR.days.items() if d.year <= 2025})


def test_festivals_by_lunar_date_in_2026() -> None:
    calendar = HolidayCalendar({})
    festivals = {
        "除夕": date(2026, 2, 16), "春节": date(2026, 2, 17), "元宵": date(2026, 3, 3),
        "端午": date(2026, 6, 19), "七夕": date(2026, 8, 19), "中秋": date(2026, 9, 25),
        "重阳": date(2026, 10, 18),
    }  # fmt: skip
    for name, day in festivals.items():
        assert name in calendar.occasions(day), name
        assert name not in calendar.occasions(date.fromordinal(day.toordinal() - 1)), name


def test_new_years_eve_is_the_29th_when_the_12th_month_is_short() -> None:
    calendar = HolidayCalendar({})
    assert "除夕" in calendar.occasions(date(2026, 2, 16))  # 腊月廿九: lunar 2025's 12th has 29
    assert "除夕" in calendar.occasions(date(2030, 2, 2))  # 腊月三十: lunar 2029's has 30
    assert "除夕" not in calendar.occasions(date(2030, 2, 1))  # 腊月廿九 of a 30-day month


def test_public_holidays_fall_on_the_first_day_of_the_break() -> None:
    calendar = HolidayCalendar({})
    assert calendar.included(date(2026, 10, 1), ["国庆节"]) == {"国庆节"}
    assert calendar.included(date(2026, 10, 2), ["国庆节"]) == set()
    assert calendar.included(date(2026, 2, 15), ["春节假期"]) == {"春节假期"}
    assert calendar.included(date(2026, 5, 1), ["劳动节", "七夕"]) == {"劳动节"}


def test_brand_dates_yearly_and_once() -> None:
    calendar = HolidayCalendar({"品牌日": "05-20", "十周年": "2026-09-09"})
    assert calendar.included(date(2027, 5, 20), ["品牌日"]) == {"品牌日"}
    assert calendar.included(date(2026, 9, 9), ["十周年"]) == {"十周年"}
    assert calendar.included(date(2027, 9, 9), ["十周年"]) == set()


def test_bad_brand_date_is_a_config_error() -> None:
    with pytest.raises(ValueError):
        SchedulerSettings(brand_dates={"x": "13-40"})


def test_an_unknown_year_skips_public_holidays_but_not_festivals() -> None:
    calendar = HolidayCalendar({"品牌日": "10-01"}, source=UNTIL_2025)
    assert calendar.included(date(2025, 10, 1), ["国庆节"]) == {"国庆节"}
    assert calendar.occasions(date(2026, 10, 1)) == {"品牌日"}  # no 国庆节: never guessed
    assert "中秋" in calendar.occasions(date(2026, 9, 25))
    assert calendar.missing_years(date(2026, 3, 1), 31) == [2026]
    assert calendar.missing_years(date(2025, 12, 15), 31) == [2026]  # the lookahead
    assert calendar.missing_years(date(2025, 11, 1), 31) == []


def test_the_real_library_does_not_know_next_years_yet() -> None:
    """Pins the premise: chinesecalendar's data ends; when it gains a year this moves on."""
    last = CHINESE_CALENDAR.years.stop - 1
    assert HolidayCalendar({}).missing_years(date(last + 1, 1, 1), 0) == [last + 1]


async def test_missing_year_logged_every_check_and_notified_once(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[str] = []

    async def notify(text: str) -> None:
        sent.append(text)

    calendar = HolidayCalendar({}, source=UNTIL_2025)
    caplog.set_level(logging.WARNING, logger="siyu.scheduler")
    for _ in range(3):  # start-up, then daily (and a second leader)
        assert await check_calendar(calendar, date(2026, 1, 5), 31, notify) == [2026]
    warnings = [r for r in caplog.records if "public holidays for 2026" in r.getMessage()]
    assert len(warnings) == 3
    assert len(sent) == 1 and "2026" in sent[0] and "chinesecalendar" in sent[0]
    assert await SentNotice.filter(key="calendar-missing:2026").count() == 1


async def test_a_failed_notice_is_not_repeated(database_url: str) -> None:
    calls: list[str] = []

    async def broken(text: str) -> None:
        calls.append(text)
        raise OSError("WeCom down")

    calendar = HolidayCalendar({}, source=UNTIL_2025)
    await check_calendar(calendar, date(2026, 1, 5), 31, broken)
    await check_calendar(calendar, date(2026, 1, 6), 31, broken)
    assert len(calls) == 1  # at most once: the row went in before the send


def test_status_entry() -> None:
    ok = calendar_status(HolidayCalendar({}), date(2026, 3, 1), 31)
    assert ok["status"] == "ok" and ok["missing_years"] == []
    missing = calendar_status(HolidayCalendar({}, source=UNTIL_2025), date(2026, 3, 1), 31)
    assert missing == {
        "status": "missing",
        "public_holidays": [2004, 2025],
        "missing_years": [2026],
    }


async def test_healthz_shows_the_calendar(client: TestClient) -> None:
    body = await (await client.get("/healthz")).json()
    assert body["calendar"]["status"] in ("ok", "missing")
    client.server.app[SCHEDULER].calendar = HolidayCalendar({}, source=UNTIL_2025)
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200  # shown, not failed
    assert body["calendar"]["status"] == "missing"
    assert body["calendar"]["public_holidays"] == [2004, 2025]
