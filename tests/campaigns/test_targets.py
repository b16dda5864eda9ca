"""Each kind fires on the right day for the right customers (FrozenClock, real database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lunar_python import Lunar, LunarMonth

from crm.campaigns.runs import start_run
from crm.clock import FrozenClock
from crm.models import (
    BirthdayCalendar,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    DeliveryStatus,
    Direction,
    Interaction,
    LifecycleStage,
    PointsEntry,
    PointsKind,
)
from tests.campaigns.outbox_support import NOW, campaign, customer, pending


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


async def _birthday_run(day: date, days_before: int = 0) -> set[int]:
    schedule = {"birthday": {"days_before": days_before}}
    # exempt from the frequency cap: these runs all happen "now" and would cap each other
    c = await campaign(CampaignKind.BIRTHDAY, schedule=schedule, frequency_exempt=True)
    outcome = await start_run(c.id, run_date=day, clock=FrozenClock(NOW))
    return await pending(outcome.run_id)


async def test_solar_birthday_on_the_day_and_days_before(database_url: str) -> None:
    today = await customer(birthday_md=1123)
    in_three = await customer(birthday_md=1126)
    await customer(birthday_md=1124)
    await customer()  # no birthday known
    assert await _birthday_run(date(2026, 11, 23)) == {today.id}
    assert await _birthday_run(date(2026, 11, 23), days_before=3) == {in_three.id}


async def test_29_february_is_celebrated_on_28_february_in_common_years(database_url: str) -> None:
    leapling = await customer(birthday_md=229)
    feb28 = await customer(birthday_md=228)
    assert await _birthday_run(date(2027, 2, 28)) == {leapling.id, feb28.id}
    assert await _birthday_run(date(2027, 3, 1)) == set()
    assert await _birthday_run(date(2028, 2, 28)) == {feb28.id}
    assert await _birthday_run(date(2028, 2, 29)) == {leapling.id}
    # three days before 28 Feb 2027 (a common year) greets the 29 February birthday too
    assert await _birthday_run(date(2027, 2, 25), days_before=3) == {leapling.id, feb28.id}


async def test_lunar_birthday_in_a_year_with_a_leap_month(database_url: str) -> None:
    # 2025 has a leap sixth month (闰六月): the birthday 六月初十 is celebrated once, in the
    # ordinary sixth month, and so is a birthday born in a leap sixth month.
    lunar = await customer(birthday_calendar=BirthdayCalendar.LUNAR, birthday_md=610)
    leap_born = await customer(
        birthday_calendar=BirthdayCalendar.LUNAR, birthday_md=610, birthday_leap=True
    )
    solar_same_md = await customer(birthday_md=610)
    ordinary, leap = _solar(Lunar.fromYmd(2025, 6, 10)), _solar(Lunar.fromYmd(2025, -6, 10))
    assert ordinary != leap
    assert await _birthday_run(ordinary) >= {lunar.id, leap_born.id}
    assert await _birthday_run(leap) == set()
    assert solar_same_md.id in await _birthday_run(date(2025, 6, 10))


async def test_lunar_day_30_in_a_short_month_on_day_29(database_url: str) -> None:
    thirtieth = await customer(birthday_calendar=BirthdayCalendar.LUNAR, birthday_md=1230)
    # 2026's twelfth lunar month (of lunar year 2025) has 29 days: 除夕 is 腊月廿九
    day29 = _solar(Lunar.fromYmd(2025, 12, 29))
    assert LunarMonth.fromYm(2025, 12).getDayCount() == 29
    assert await _birthday_run(day29) == {thirtieth.id}


async def _credit(customer_id: int, amount: int, expires_at: datetime, remaining: int = -1) -> None:
    await PointsEntry.create(
        customer_id=customer_id, kind=PointsKind.EARN, amount=amount, expires_at=expires_at,
        remaining=amount if remaining < 0 else remaining, reference=f"t:{customer_id}:{expires_at}",
    )  # fmt: skip


async def test_points_expiring_within_n_days_once_per_window(database_url: str) -> None:
    soon, later, spent, gone = [await customer() for _ in range(4)]
    await _credit(soon.id, 100, NOW + timedelta(days=10))
    await _credit(later.id, 100, NOW + timedelta(days=40))
    await _credit(spent.id, 100, NOW + timedelta(days=10), remaining=0)
    await _credit(gone.id, 100, NOW - timedelta(seconds=1))  # past its date, not yet swept
    c = await campaign(CampaignKind.POINTS, options={"expiring_within_days": 30})
    first = await start_run(c.id, run_date=date(2026, 11, 23), clock=FrozenClock(NOW))
    assert await pending(first.run_id) == {soon.id}
    await CampaignDelivery.filter(run_id=first.run_id).update(status=DeliveryStatus.SENT)
    next_day = FrozenClock(NOW + timedelta(days=1))
    second = await start_run(c.id, run_date=date(2026, 11, 24), clock=next_day)
    assert await pending(second.run_id) == set()


async def test_balance_milestones_once_each(database_url: str) -> None:
    rich = await customer(points_balance=1200)
    await customer(points_balance=900)
    c = await campaign(CampaignKind.POINTS, options={"milestones": [1000, 5000]})
    clock = FrozenClock(NOW)
    first = await start_run(c.id, run_date=date(2026, 11, 23), clock=clock)
    assert await pending(first.run_id) == {rich.id}
    await CampaignDelivery.filter(run_id=first.run_id).update(status=DeliveryStatus.SENT)
    again = await start_run(c.id, run_date=date(2026, 11, 24), clock=clock)
    assert await pending(again.run_id) == set()
    await rich.filter(id=rich.id).update(points_balance=5200)
    third = await start_run(c.id, run_date=date(2026, 11, 25), clock=clock)
    assert await pending(third.run_id) == {rich.id}


async def test_winback_two_steps_and_who_came_back_leaves(database_url: str) -> None:
    lapsed = await customer(last_active_at=NOW - timedelta(days=70))
    back = await customer(last_active_at=NOW - timedelta(days=70))
    at_risk = await customer(lifecycle_stage=LifecycleStage.AT_RISK, last_active_at=NOW)
    await customer(last_active_at=NOW - timedelta(days=10))
    await customer()  # never active and no lifecycle verdict: not "lapsed"
    options = {"inactive_days": 60, "second_text": "还想您", "second_after_days": 7}
    c = await campaign(CampaignKind.WINBACK, options=options)
    clock = FrozenClock(NOW)
    step1 = await start_run(c.id, run_date=date(2026, 11, 23), clock=clock)
    assert await pending(step1.run_id) == {lapsed.id, back.id, at_risk.id}
    await CampaignDelivery.filter(run_id=step1.run_id).update(
        status=DeliveryStatus.SENT, sent_at=NOW
    )
    await Interaction.create(
        customer_id=back.id, channel="oa", direction=Direction.IN, kind="text", content="在的"
    )
    await Interaction.filter(customer_id=back.id).update(created_at=NOW + timedelta(days=2))
    clock.advance(days=3)  # too early for step 2, and step 1 is not repeated
    early = await start_run(c.id, run_date=date(2026, 11, 26), step=2, clock=clock)
    assert await pending(early.run_id) == set()
    again = await start_run(c.id, run_date=date(2026, 11, 26), clock=clock)
    assert await pending(again.run_id) == set()
    clock.advance(days=5)
    step2 = await start_run(c.id, run_date=date(2026, 12, 1), step=2, clock=clock)
    assert await pending(step2.run_id) == {lapsed.id, at_risk.id}
    assert (await CampaignRun.get(id=step2.run_id)).run_key == "2026-12-01#2"
    clock.advance(days=1)
    later = await start_run(c.id, run_date=date(2026, 12, 2), step=2, clock=clock)
    assert await pending(later.run_id) == set()  # step 2 once per step-1 message


async def test_holiday_and_custom_are_the_segment(database_url: str) -> None:
    from crm.models import CustomerTag, Tag, TagSource

    vip = await customer()
    await customer()
    tag = await Tag.create(name="vip")
    await CustomerTag.create(customer=vip, tag=tag, source=TagSource.STAFF)
    for kind in (CampaignKind.HOLIDAY, CampaignKind.CUSTOM):
        c = await campaign(kind, rule={"field": "tag", "value": "vip"}, frequency_exempt=True)
        outcome = await start_run(c.id, run_date=date(2026, 10, 1), clock=FrozenClock(NOW))
        assert await pending(outcome.run_id) == {vip.id}
