"""A survey sent to a segment through the campaign outbox: the campaign rules choose who gets
it, the real dispatcher sends it to the fake WeChat API, and the sent hook starts each
customer's response, answered then through the webhook."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.wechat.fake import FakeWeChat
from crm.actors import Actor
from crm.models import Campaign, CampaignDelivery, ResponseStatus, Segment, SurveyResponse
from crm.surveys.outbox import send_to_segment, started
from tests.campaigns.dispatch_support import activity, dispatcher
from tests.surveys.conftest import Chat, SurveyWorld
from tests.surveys.support import NPS_SURVEY, customer, nps_survey

DAYTIME = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai: no quiet hours


async def test_a_segment_survey_goes_through_the_outbox_and_is_answered(
    world: SurveyWorld, settings: Settings, fake_wechat: FakeWeChat
) -> None:
    world.clock.set(DAYTIME)
    survey = await nps_survey()
    people = [await customer(f"oSeg{n}", opted_out=n == 2) for n in range(3)]
    for someone in people:
        await activity(someone, world.clock, ago=60)  # inside the 48-hour window
    segment = await Segment.create(name="订阅用户", rule={"field": "subscribed", "value": True})
    outcome = await send_to_segment(
        survey.id, segment.id, expiry_seconds=3600, actor=Actor.system("test"), clock=world.clock
    )
    assert outcome.targeted == 3
    async with dispatcher(settings, world.clock) as worker:
        await worker.dispatch_once()
    assert fake_wechat.sent_texts("oSeg0")[0].startswith(NPS_SURVEY["intro"])
    assert fake_wechat.sent_texts("oSeg2") == []  # opted out: the campaign rules skip them
    statuses = await CampaignDelivery.all().order_by("customer_id").values_list("status", flat=True)
    assert [str(s) for s in statuses] == ["sent", "sent", "skipped"]
    started_for = await SurveyResponse.all().values_list("customer_id", flat=True)
    assert sorted(started_for) == [people[0].id, people[1].id]
    chat = Chat(await world.app(), world.oa, "oSeg1")
    assert "第 2/5 题" in await chat.say("10分", 101)
    response = await SurveyResponse.get(customer_id=people[1].id)
    assert response.status is ResponseStatus.IN_PROGRESS and response.source == "segment"


async def test_deliveries_of_other_campaigns_start_nothing(world: SurveyWorld) -> None:
    someone = await customer()
    plain = await Campaign.create(name="普通活动", kind="custom", schedule={"cron": "0 10 * * *"})
    from tests.campaigns.dispatch_support import enqueue

    await enqueue(plain, world.clock)
    sent = await CampaignDelivery.all().values_list("campaign_id", "customer_id")
    assert sent and await started(sent, clock=world.clock) == 0
    assert await SurveyResponse.filter(customer_id=someone.id).count() == 0
