"""Surveys answered in the chat, through the real webhook (signed, encrypted OA deliveries)
on real Redis and the test database, against the fake WeChat API."""

from __future__ import annotations

import pytest

from bot.keys import STORE
from bot.wechat.errors import WeChatError
from bot.wechat.fake import FakeWeChat
from crm.models import Channel, ResponseStatus, SurveyAnswer, SurveyResponse
from crm.surveys import on_complaint_resolved, responses
from crm.surveys.config import SurveySettings, SurveyTriggers
from handlers.context import Context
from handlers.filters import InState, TextContains, has_text
from handlers.router import Router
from handlers.state import clear_state, read_state, set_state
from handlers.types import Reply
from tests.surveys.conftest import Chat, SurveyWorld
from tests.surveys.support import NPS_SURVEY, customer, nps_survey

DEFAULT = "收到您的消息啦"
NPS_HINT = "请回复 0–10 之间的数字"


async def status(someone_id: int) -> SurveyResponse:
    return await SurveyResponse.get(customer_id=someone_id)


async def test_a_full_nps_survey_with_invalid_and_natural_answers(
    world: SurveyWorld, fake_wechat: FakeWeChat
) -> None:
    chat, _, someone = await world.started()
    invitation = fake_wechat.sent_texts(chat.openid)[-1]
    assert invitation.startswith(NPS_SURVEY["intro"]) and "第 1/5 题" in invitation
    assert NPS_HINT in await chat.say("挺好的", 1)  # re-asked once, with the hint
    assert "第 2/5 题" in await chat.say("７分", 2)
    assert "第 3/5 题" in await chat.say("非常满意", 3)
    assert "第 4/5 题" in await chat.say("门店", 4)
    assert "第 5/5 题" in await chat.say("1、3", 5)  # a 7 is no promoter: the last is asked
    assert await chat.say("希望包装再结实一点", 6) == NPS_SURVEY["thanks"]
    response = await status(someone.id)
    assert response.status is ResponseStatus.COMPLETED
    answers = await SurveyAnswer.filter(response_id=response.id).order_by("id")
    assert [a.number for a in answers[:2]] == [7, 5] and answers[3].choices == [1, 3]
    assert answers[4].text == "希望包装再结实一点"
    assert DEFAULT in await chat.say("好的", 7)  # the chat is back to normal


async def test_two_unreadable_answers_leave_the_survey_politely(world: SurveyWorld) -> None:
    chat, _, someone = await world.started()
    assert NPS_HINT in await chat.say("不知道", 11)
    assert "这次调查就先到这里" in await chat.say("随便", 12)
    assert (await status(someone.id)).status is ResponseStatus.ABANDONED
    assert DEFAULT in await chat.say("8", 13)


async def test_skip_and_leave(world: SurveyWorld) -> None:
    chat, _, someone = await world.started()
    assert "第 2/5 题" in await chat.say("跳过", 21)
    assert "已为您退出本次调查" in await chat.say("退出", 22)
    response = await status(someone.id)
    assert response.status is ResponseStatus.ABANDONED
    assert await SurveyAnswer.filter(response_id=response.id, skipped=True).count() == 1


async def test_two_customers_answer_in_parallel(world: SurveyWorld) -> None:
    first, survey, _ = await world.started("oFirst")
    second = Chat(first.client, world.oa, "oSecond")
    await world.invite(first.client, survey, await customer("oSecond"))
    assert "第 2/5 题" in await first.say("10", 31)
    assert NPS_HINT in await second.say("满意", 32)  # its own question 1, its own retry
    assert "第 3/5 题" in await first.say("4", 33)
    assert "第 2/5 题" in await second.say("0", 34)
    assert "第 4/5 题" in await first.say("1", 35)
    assert "第 3/5 题" in await second.say("一般", 36)


async def test_a_retried_delivery_does_not_advance_the_survey_twice(
    world: SurveyWorld,
) -> None:
    chat, _, someone = await world.started()
    first = await chat.say("9", 41)
    assert await chat.say("9", 41) == first  # WeChat's retry: the same answer, nothing else
    response = await status(someone.id)
    assert response.current == 2 and await SurveyAnswer.filter(response_id=response.id).count() == 1
    assert "第 3/5 题" in await chat.say("满意", 42)


async def test_a_complaint_inside_a_survey_wins_and_the_survey_stays(world: SurveyWorld) -> None:
    chat, _, someone = await world.started()
    asked = await chat.say("6", 51)
    question_2 = asked[asked.index("第 2/5 题") :]
    reply = await chat.say("你们的快递太慢了，我要投诉", 52)
    assert "非常抱歉" in reply and "第" not in reply  # the complaint route answered
    assert (await status(someone.id)).current == 2
    details = await chat.say("订单号 202612010001，三天了还没到", 53)  # the follow-up's answer
    assert "已补充到工单" in details and details.endswith(
        "我们继续刚才的问卷：\n" + question_2
    )  # and where we were
    assert "第 3/5 题" in await chat.say("不满意", 54)  # the survey resumed where it was


async def test_an_unsubscribe_inside_a_survey_is_done(world: SurveyWorld) -> None:
    chat, _, someone = await world.started()
    assert "已为您退订" in await chat.say("退订", 55)
    await someone.refresh_from_db()
    assert someone.opted_out and (await status(someone.id)).current == 1


def complaint_flow() -> Router:
    """A stand-in for the complaint flow: one follow-up question held in the chat state."""
    router = Router("complaint_standin")

    @router.message(TextContains("投诉"))
    async def opened(ctx: Context) -> Reply:
        await set_state(ctx, "complaint", "details", ttl=60)
        return ctx.reply("已为您登记投诉，请问订单号是多少？")

    @router.message(InState("complaint"), has_text)
    async def details(ctx: Context) -> Reply:
        await clear_state(ctx)
        return ctx.reply("收到，客服会尽快联系您。")

    return router


async def test_a_complaint_flow_suspends_the_survey_which_then_resumes(
    world: SurveyWorld,
) -> None:
    client = await world.app(complaint_flow())
    survey, someone = await nps_survey(), await customer()
    await world.invite(client, survey, someone)
    chat = Chat(client, world.oa, someone.openid or "")
    asked = await chat.say("8", 61)
    question_2 = asked[asked.index("第 2/5 题") :]
    assert await chat.say("我要投诉，东西坏了", 62) == "已为您登记投诉，请问订单号是多少？"
    resumed = await chat.say("20261201", 63)  # not a survey answer
    assert resumed == f"收到，客服会尽快联系您。\n\n我们继续刚才的问卷：\n{question_2}"
    assert "第 3/5 题" in await chat.say("满意", 64)
    assert (await status(someone.id)).current == 3


async def test_an_expired_survey_returns_the_chat_to_normal(world: SurveyWorld) -> None:
    chat, _, someone = await world.started()
    assert "第 2/5 题" in await chat.say("9", 71)
    world.clock.advance(hours=1, seconds=1)
    assert DEFAULT in await chat.say("满意", 72)
    assert (await status(someone.id)).status is ResponseStatus.EXPIRED
    assert await read_state(chat.client.app[STORE], Channel.OA, chat.openid) is None


async def test_a_failed_send_starts_no_survey(world: SurveyWorld, fake_wechat: FakeWeChat) -> None:
    client, survey, someone = await world.app(), await nps_survey(), await customer()
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 45015)
    with pytest.raises(WeChatError):
        await world.invite(client, survey, someone)
    assert await SurveyResponse.all().count() == 0
    assert await read_state(client.app[STORE], Channel.OA, someone.openid or "") is None


async def test_a_resolved_complaint_sends_the_configured_survey(
    world: SurveyWorld, fake_wechat: FakeWeChat
) -> None:
    survey, someone = await nps_survey(name="投诉回访"), await customer()
    after = SurveyTriggers(complaint_resolved=survey.id)
    world.settings = world.settings.model_copy(update={"surveys": SurveySettings(after=after)})
    client = await world.app()
    await on_complaint_resolved(someone.id)
    assert fake_wechat.sent_texts(someone.openid)[-1].startswith(NPS_SURVEY["intro"])
    chat = Chat(client, world.oa, someone.openid or "")
    assert "第 2/5 题" in await chat.say("10", 81)
    assert (await status(someone.id)).source == "complaint_resolved"


async def test_no_survey_configured_sends_nothing(
    world: SurveyWorld, fake_wechat: FakeWeChat
) -> None:
    await world.app()
    someone = await customer()
    await on_complaint_resolved(someone.id)
    assert fake_wechat.sent_texts(someone.openid) == [] and await SurveyResponse.all().count() == 0


async def test_a_live_response_answers_when_the_store_lost_the_state(world: SurveyWorld) -> None:
    """The survey was sent by a process with a store of its own (or Redis restarted empty)."""
    client, survey, someone = await world.app(), await nps_survey(), await customer()
    await responses.invite(survey.id, someone, source="cli", expiry_seconds=60, clock=world.clock)
    chat = Chat(client, world.oa, someone.openid or "")
    assert "第 2/5 题" in await chat.say("9", 91)
    state = await read_state(client.app[STORE], Channel.OA, chat.openid)
    assert state is not None and state.step == 2  # back in the store for the next answer
