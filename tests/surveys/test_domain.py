"""The survey domain against the real database: definitions validated at the edge, a
response's way through the questions (skips, retries, leaving, expiry), results."""

from __future__ import annotations

import pytest

from crm.clock import FrozenClock
from crm.errors import InvalidSurvey, SurveyNotSent
from crm.models import ResponseStatus, Survey, SurveyAnswer, SurveyResponse
from crm.surveys import responses
from crm.surveys.definitions import parse_definition
from crm.surveys.responses import Step
from crm.surveys.results import csat, nps, results
from tests.surveys.support import NPS_SURVEY, customer, nps_survey

HOUR = 3600.0


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"name": ""}, "name"),
        ({"questions": []}, "questions"),
        ({"questions": [{"type": "rating", "text": "?"}]}, "questions.1.type"),
        ({"questions": [{"type": "single", "text": "?", "options": ["a"]}]}, "questions.1"),
        ({"questions": [{"type": "nps", "text": "?", "options": ["a", "b"]}]}, "questions.1"),
        ({"questions": [{"type": "nps", "text": "?", "skip_if": {"question": 1, "answer_in": [1]}}]},
         "skip_if must name an earlier question"),
        ({"colour": "red"}, "colour"),
    ],
)  # fmt: skip
async def test_a_bad_definition_names_the_field_and_writes_nothing(
    database_url: str, change: dict[str, object], names: str
) -> None:
    with pytest.raises(InvalidSurvey, match=names):
        await nps_survey(**change)
    assert await Survey.all().count() == 0


def test_yaml_and_json_read_alike() -> None:
    yaml_text = (
        "name: 回访\nintro: 您好\nthanks: 谢谢\nquestions:\n  - {type: nps, text: 推荐吗？}\n"
    )
    json_text = '{"name": "回访", "intro": "您好", "thanks": "谢谢", "questions": [{"type": "nps", "text": "推荐吗？"}]}'
    assert parse_definition(yaml_text) == parse_definition(json_text)
    with pytest.raises(InvalidSurvey, match="not YAML"):
        parse_definition("name: [unclosed")


async def walk(response_id: int, answers: list[str], clock: FrozenClock) -> list[Step]:
    steps, position, tries = [], 1, 0
    for text in answers:
        outcome = await responses.answer(response_id, position, text, tries=tries, clock=clock)
        steps.append(outcome.step)
        tries = 1 if outcome.step is Step.RETRY else 0
        position = outcome.position or position
    return steps


async def test_a_promoter_skips_the_free_text_question(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    invitation = await responses.invite(
        survey.id, await customer(), source="cli", expiry_seconds=HOUR, clock=clock
    )
    assert "第 1/5 题" in invitation.text and NPS_SURVEY["intro"] in invitation.text
    steps = await walk(invitation.response_id, ["十分", "非常满意", "门店", "1、3"], clock)
    assert steps == [Step.NEXT, Step.NEXT, Step.NEXT, Step.DONE]
    response = await SurveyResponse.get(id=invitation.response_id)
    assert response.status is ResponseStatus.COMPLETED and response.completed_at == clock.now()
    assert sorted(await SurveyAnswer.all().values_list("number", flat=True), key=str) == [
        10,
        5,
        None,
        None,
    ]


async def test_a_second_unreadable_answer_leaves_the_survey(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    invitation = await responses.invite(
        survey.id, await customer(), source="cli", expiry_seconds=HOUR, clock=clock
    )
    assert await walk(invitation.response_id, ["很好", "还行吧"], clock) == [Step.RETRY, Step.LEFT]
    assert (await SurveyResponse.get(id=invitation.response_id)).status is ResponseStatus.ABANDONED


async def test_the_same_answer_twice_advances_once(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    invitation = await responses.invite(
        survey.id, await customer(), source="cli", expiry_seconds=HOUR, clock=clock
    )
    first = await responses.answer(invitation.response_id, 1, "8", clock=clock)
    again = await responses.answer(invitation.response_id, 1, "8", clock=clock)
    assert (first.step, again.step) == (Step.NEXT, Step.OVER)
    assert await SurveyAnswer.all().count() == 1


async def test_an_answer_after_expiry_ends_the_survey(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    invitation = await responses.invite(
        survey.id, await customer(), source="cli", expiry_seconds=HOUR, clock=clock
    )
    clock.advance(hours=1)
    assert (await responses.answer(invitation.response_id, 1, "9", clock=clock)).step is Step.OVER
    assert (await SurveyResponse.get(id=invitation.response_id)).status is ResponseStatus.EXPIRED


async def test_one_survey_at_a_time_and_never_to_opted_out_segments(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    someone = await customer()
    await responses.invite(survey.id, someone, source="cli", expiry_seconds=HOUR, clock=clock)
    with pytest.raises(SurveyNotSent, match="answering"):
        await responses.invite(survey.id, someone, source="cli", expiry_seconds=HOUR, clock=clock)
    clock.advance(hours=2)
    await responses.invite(survey.id, someone, source="cli", expiry_seconds=HOUR, clock=clock)
    quiet = await customer("oQuiet", opted_out=True)
    with pytest.raises(SurveyNotSent, match="opted out"):
        await responses.invite(
            survey.id, quiet, source="segment", expiry_seconds=HOUR, marketing=True, clock=clock
        )


def test_nps_and_csat_arithmetic() -> None:
    assert nps([10, 9, 8, 7, 6, 0]) == round(100 * (2 - 2) / 6, 1) == 0.0
    assert nps([10, 10, 9, 3]) == 50.0 and nps([]) is None
    assert csat([5, 4, 3, 1]) == 50.0 and csat([]) is None


async def test_results_count_scores_choices_and_texts(database_url: str) -> None:
    survey, clock = await nps_survey(), FrozenClock()
    plan = {
        "o1": ["10", "5", "1", "2"],
        "o2": ["3", "2", "2", "2,3", "快递太慢了，很失望"],
        "o3": ["6", "退出"],
    }
    for openid, answers in plan.items():
        invitation = await responses.invite(
            survey.id, await customer(openid), source="cli", expiry_seconds=HOUR, clock=clock
        )
        await walk(invitation.response_id, answers, clock)
    await responses.invite(
        survey.id, await customer("o4"), source="cli", expiry_seconds=HOUR, clock=clock
    )
    clock.advance(hours=2)
    report = await results(survey.id, clock)
    assert (report["responses"], report["completed"], report["abandoned"], report["expired"]) == (
        4,
        2,
        1,
        1,
    )
    assert report["nps"] == round(100 * (1 - 2) / 3, 1)  # 10 promotes, 3 and 6 detract
    assert report["csat"] == 50.0 and report["completion_rate"] == 50.0
    nps_q, _, place, improve, free = report["questions"]
    assert nps_q["distribution"]["10"] == 1 and nps_q["distribution"]["3"] == 1
    assert place["distribution"] == {"小程序": 1, "门店": 1, "电商平台": 0}
    assert improve["distribution"] == {"价格": 0, "物流": 2, "客服": 1, "包装": 0}
    assert (
        free["texts"][0]["text"] == "快递太慢了，很失望"
        and free["texts"][0]["sentiment"] == "negative"
    )
