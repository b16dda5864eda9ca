"""Today's figures (`/stats today`, through the webhook) and a period overview, in SQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from crm import reports
from crm.clock import FrozenClock
from crm.models import (
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    Channel,
    Complaint,
    ComplaintStatus,
    Direction,
    Interaction,
    LifecycleChange,
    LifecycleStage,
    Order,
    RfmScore,
)
from tests.staff.conftest import NOW, MakeCustomer, Send

YESTERDAY = NOW - timedelta(days=1)
TZ = "Asia/Shanghai"


async def message(customer: Any, at: datetime, sentiment: str | None = None, **kw: Any) -> None:
    await Interaction.create(
        customer=customer, channel="oa", direction=kw.pop("direction", Direction.IN),
        kind=kw.pop("kind", "text"), content="…", sentiment_label=sentiment, created_at=at,
    )  # fmt: skip


async def a_day_of_activity(make_customer: MakeCustomer) -> None:
    """Today (Shanghai) 3 new followers, 3 messages (2 negative), 1 reply, a complaint opened
    and one closed, one campaign message sent; and yesterday's, which today must not count."""
    a = await make_customer(subscribed=True, subscribed_at=NOW - timedelta(hours=3))
    await make_customer(subscribed=True, subscribed_at=NOW - timedelta(hours=11, minutes=59))
    await make_customer(source_channel=Channel.WECOM, created_at=NOW, openid=None,
                        external_userid="wm-today")  # fmt: skip
    old = await make_customer(subscribed=True, subscribed_at=NOW - timedelta(hours=12, minutes=1))
    for at, sentiment in ((NOW, "negative"), (NOW, "negative"), (NOW, "positive")):
        await message(a, at, sentiment)
    await message(a, NOW, kind="event:subscribe")
    await message(a, NOW, direction=Direction.OUT, kind="reply:text")
    await message(old, YESTERDAY, "negative")
    await Complaint.create(customer=a, created_at=NOW)
    await Complaint.create(customer=old, created_at=YESTERDAY, closed_at=NOW,
                           status=ComplaintStatus.CLOSED)  # fmt: skip
    campaign = await Campaign.create(name="c", kind=CampaignKind.CUSTOM, schedule={}, text="hi")
    run = await CampaignRun.create(campaign=campaign, run_key="k", run_date=NOW.date(),
                                   started_at=NOW)  # fmt: skip
    await CampaignDelivery.create(run=run, campaign_id=campaign.id, customer=a, status="sent",
                                  due_at=NOW, sent_at=NOW)  # fmt: skip


async def test_stats_today_through_the_webhook(
    members: dict, send: Send, frozen: FrozenClock, make_customer: MakeCustomer
) -> None:
    await a_day_of_activity(make_customer)
    assert await send("kanke", "/stats today") == (
        "今日（11月23日）统计：\n新增关注 3｜客户消息 3｜回复 1\n投诉：新增 1｜关闭 1\n"
        "负面情绪占比 66.7%（已分析 3 条）\n活动消息：发送成功 1｜失败 0"
    )
    frozen.advance(days=1)  # the next local day starts from zero
    assert "新增关注 0｜客户消息 0｜回复 0" in await send("kanke", "/stats 今天")


async def test_today_follows_the_local_day(make_customer: MakeCustomer) -> None:
    await a_day_of_activity(make_customer)
    stats = await reports.today(FrozenClock(NOW), TZ)
    assert (stats.day, stats.new_followers, stats.messages) == (date(2026, 11, 23), 3, 3)
    utc = await reports.today(FrozenClock(NOW), "UTC")  # the same instant, another day's edges
    assert utc.new_followers == 2 and utc.messages == 3  # 16:01 UTC on the 22nd is out
    late = await reports.today(FrozenClock(NOW.replace(hour=15, minute=59)), "UTC")
    assert late.day == date(2026, 11, 23)


async def test_overview_of_a_period(make_customer: MakeCustomer) -> None:
    await a_day_of_activity(make_customer)
    a = await make_customer()
    await Order.create(customer=a, external_id="o1", amount=10, paid_at=YESTERDAY)
    await LifecycleChange.create(customer=a, from_stage=LifecycleStage.AT_RISK,
                                 to_stage=LifecycleStage.CHURNED, changed_at=NOW)  # fmt: skip
    await LifecycleChange.create(customer=a, from_stage=LifecycleStage.NEW,
                                 to_stage=LifecycleStage.ACTIVE, changed_at=YESTERDAY)  # fmt: skip
    await RfmScore.create(customer_id=a.id, r_score=5, f_score=4, m_score=3, scored_at=NOW)
    await RfmScore.create(customer_id=a.id + 1000, r_score=5, f_score=4, m_score=5, scored_at=NOW)
    view = await reports.overview(date(2026, 11, 21), date(2026, 11, 23), TZ)
    assert [d.day for d in view.days] == [date(2026, 11, d) for d in (21, 22, 23)]
    by_day = {d.day.day: d for d in view.days}
    assert (by_day[23].new_followers, by_day[23].messages, by_day[23].negative) == (3, 3, 2)
    assert (by_day[22].new_followers, by_day[22].active, by_day[22].negative) == (1, 2, 1)
    assert by_day[23].active == 1 and by_day[23].churned == 1 and by_day[21].messages == 0
    assert view.new_followers == 4 and view.negative_share == 0.75
    flows = {(f.from_stage, f.to_stage): f.customers for f in view.lifecycle_flow}
    assert flows == {("at_risk", "churned"): 1, ("new", "active"): 1}
    assert [(c.r, c.f, c.customers, c.avg_m) for c in view.rfm_grid] == [(5, 4, 2, 4.0)]
    assert (view.complaints_opened, view.complaints_closed) == (2, 1)
    assert view.sent_by_channel == {"none": 1}
