"""`any_live`, the memo that spares the survey route a query per message: one look at a time
however many messages ask, and a survey started in this process seen at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from crm.clock import FrozenClock
from crm.models import SurveyResponse
from crm.surveys import responses
from tests.surveys.support import customer, nps_survey

HOUR = 3600.0


@pytest.fixture
def looks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the EXISTS queries any_live makes."""
    made: list[int] = []
    real = SurveyResponse.filter

    def counted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(SurveyResponse, "filter", counted)
    return made


async def test_fifty_messages_at_once_share_one_look(database_url: str, looks: list[int]) -> None:
    answers = await asyncio.gather(*(responses.any_live() for _ in range(50)))
    assert answers == [False] * 50 and len(looks) == 1
    assert not await responses.any_live() and len(looks) == 1  # the memo holds for 2 s


async def test_a_survey_started_here_while_a_look_runs_is_seen(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, answered, release = FrozenClock(), asyncio.Event(), asyncio.Event()
    survey, someone = await nps_survey(), await customer()
    real = SurveyResponse.filter

    class Slow:  # the look's EXISTS is answered, then its result waits for the survey
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.query = real(*args, **kwargs)

        async def exists(self) -> bool:
            found = await self.query.exists()
            answered.set()
            await release.wait()
            return found

    monkeypatch.setattr(SurveyResponse, "filter", Slow)
    look = asyncio.ensure_future(responses.any_live(clock))
    await answered.wait()
    monkeypatch.setattr(SurveyResponse, "filter", real)
    await responses.invite(survey.id, someone, source="cli", expiry_seconds=HOUR, clock=clock)
    release.set()
    assert not await look  # begun before the survey: stale, but it must not stick
    assert await responses.any_live(clock)


async def test_a_survey_started_elsewhere_is_seen_when_the_memo_runs_out(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FrozenClock()
    survey, someone = await nps_survey(), await customer()
    assert not await responses.any_live(clock)
    await SurveyResponse.create(
        survey=survey, customer=someone, current=1, source="cli",
        invited_at=clock.now(), expires_at=clock.now() + timedelta(hours=1),
    )  # fmt: skip  # another process: no forget_none_live here
    assert not await responses.any_live(clock)
    monkeypatch.setattr(responses, "_none_live_until", 0.0)  # 2 s later
    assert await responses.any_live(clock)
