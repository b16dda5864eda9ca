"""The app in-process on real Redis and the test database, a survey sent to customers the way
`siyu survey send` sends it, and the survey routes on a FrozenClock in front."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.keys import PIPELINE, STORE
from bot.wechat.simulator import Simulator, text_xml
from crm import caches
from crm.clock import FrozenClock
from crm.models import Customer, Survey
from crm.surveys import responses
from handlers.router import Router
from handlers.surveys import send_invitation, survey_router
from tests.handlers.helpers import content, oa_send
from tests.handlers.support import route_first
from tests.surveys.support import customer, nps_survey

EXPIRY = 3600.0


@dataclass
class Chat:
    """One customer talking to one app process."""

    client: TestClient
    oa: Simulator
    openid: str

    async def say(self, text: str, msg_id: int) -> str:
        xml = text_xml(self.openid, self.oa.receiver, text, msg_id)
        _, reply = await oa_send(self.client, self.oa, xml, self.openid)
        return content(reply)


@dataclass
class SurveyWorld:
    settings: Settings
    oa: Simulator
    clock: FrozenClock
    aiohttp_client: Any

    async def app(self, *front: Router) -> TestClient:
        caches.clear()
        client: TestClient = await self.aiohttp_client(create_app(self.settings))
        route_first(client, *front, survey_router(self.clock))
        return client

    async def invite(self, client: TestClient, survey: Survey, someone: Customer) -> str:
        invitation = await responses.invite(
            survey.id, someone, source="cli", expiry_seconds=EXPIRY, clock=self.clock
        )
        messenger = client.app[PIPELINE].messenger
        await send_invitation(client.app[STORE], messenger, someone, invitation, self.clock)
        return invitation.text

    async def started(self, openid: str = "oSurvey001") -> tuple[Chat, Survey, Customer]:
        client, survey, someone = await self.app(), await nps_survey(), await customer(openid)
        await self.invite(client, survey, someone)
        return Chat(client, self.oa, openid), survey, someone


@pytest.fixture
def world(aiohttp_client: Any, settings: Settings, redis_url: str, oa: Simulator) -> SurveyWorld:
    shared = settings.model_copy(update={"redis_url": redis_url})
    return SurveyWorld(shared, oa, FrozenClock(), aiohttp_client)
