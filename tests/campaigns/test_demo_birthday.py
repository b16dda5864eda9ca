"""`siyu demo`'s birthday campaign: guests whose birthday is today, a campaign a minute away."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm import segments
from crm.clock import FrozenClock
from crm.demo_data import seed_birthday_demo
from crm.models import Customer, Interaction
from crm.models.campaigns import Campaign, CampaignKind

pytestmark = pytest.mark.usefixtures("database_url")


async def birthday_today(clock: FrozenClock) -> int:
    rule = {"field": "birthday", "op": "today"}
    return await segments.count(segments.rule_members(rule, segments.context(clock=clock)))


async def test_solar_and_lunar_birthdays_today_and_a_campaign_a_minute_away() -> None:
    clock = FrozenClock(datetime(2026, 12, 1, 2, 0, 10, tzinfo=UTC))  # 10:00:10 in Shanghai
    demo = await seed_birthday_demo(clock=clock)
    assert {g.lunar for g in demo.guests} == {True, False}
    assert await birthday_today(clock) == len(demo.guests) == 4
    assert await Interaction.filter(direction="in").count() == 2  # the two who chatted
    campaign = await Campaign.get(id=demo.campaign_id)
    assert campaign.kind is CampaignKind.BIRTHDAY and demo.fires_at == "10:01"
    assert campaign.schedule == {"birthday": {"days_before": 0, "at": "10:01"}}
    assert campaign.quiet_start is None and campaign.options["coupon"] == {"prefix": "BD"}
    clock.advance(days=1, seconds=55)  # the next day, 10:01:05: the birthdays move along
    again = await seed_birthday_demo(clock=clock)
    assert again.campaign_id == demo.campaign_id and again.fires_at == "10:02"
    assert await Customer.all().count() == 4 and await birthday_today(clock) == 4


async def test_in_a_lunar_leap_month_only_the_solar_guests() -> None:
    clock = FrozenClock(datetime(2025, 8, 1, 2, 0, tzinfo=UTC))  # inside 闰六月 of 2025
    demo = await seed_birthday_demo(clock=clock)
    assert demo.guests and not any(g.lunar for g in demo.guests)
    assert await birthday_today(clock) == len(demo.guests)
