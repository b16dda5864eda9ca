"""Loud about a year chinesecalendar does not know yet: a warning when the leader starts and
every day, a `calendar` entry in /healthz, and one WeCom notice to the admins per year."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from chinese_calendar import __version__ as chinesecalendar_version

from scheduler.calendars import HolidayCalendar
from scheduler.notices import Notify, notify_once

log = logging.getLogger("siyu.scheduler")


def missing_notice(year: int) -> str:
    return (
        f"【siyu】chinesecalendar {chinesecalendar_version} 还没有 {year} 年的法定节假日安排，"
        f"{year} 年的节假日活动暂不会按法定假日发送（传统节日和品牌日照常）。"
        "请在国务院公布安排后升级 chinesecalendar。"
    )


async def check_calendar(
    calendar: HolidayCalendar, today: date, lookahead_days: int, notify: Notify | None
) -> list[int]:
    """Logs and notifies (once per year, ever) the years without public-holiday data."""
    missing = calendar.missing_years(today, lookahead_days)
    for year in missing:
        log.warning(
            "public holidays for %d are unknown to chinesecalendar %s (it knows %d-%d): "
            "holiday campaigns skip the public holidays of %d until it is upgraded",
            year, chinesecalendar_version, calendar.source.years.start,
            calendar.source.years.stop - 1, year,
        )  # fmt: skip
        await notify_once(f"calendar-missing:{year}", missing_notice(year), notify)
    return missing


def calendar_status(calendar: HolidayCalendar, today: date, lookahead_days: int) -> dict[str, Any]:
    """The /healthz `calendar` entry."""
    years = calendar.source.years
    missing = calendar.missing_years(today, lookahead_days)
    return {
        "status": "missing" if missing else "ok",
        "public_holidays": [years.start, years.stop - 1] if years else None,
        "missing_years": missing,
    }
