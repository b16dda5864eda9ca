"""Events get no reply, whatever happens in their handler; WeCom members following the app are
staff, not customers."""

from __future__ import annotations

import logging
import time

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, event_xml
from crm.models import Customer, Interaction
from tests.handlers.helpers import content, wecom_send
from tests.webhooks.test_wecom import EXTERNAL, contact_event

WELCOME = "/cgi-bin/externalcontact/send_welcome_msg"
APOLOGY = "抱歉"


async def test_a_failed_welcome_is_logged_and_not_answered(
    client: TestClient, wecom: Simulator, fake_wechat: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    """The welcome code was used already (41051): the contact is still recorded, WeChat gets
    "success", and nothing is addressed to the pseudo-sender sys."""
    fake_wechat.fail_next(WELCOME, 41051)
    with caplog.at_level(logging.ERROR, "siyu.handlers"):
        body, reply = await wecom_send(
            client, wecom, contact_event("add_external_contact", int(time.time()))
        )
    assert body == "success" and reply is None
    assert [c.errcode for c in fake_wechat.calls_to(WELCOME)] == [41051]
    assert any(
        r.name == "siyu.handlers" and "on_contact_added failed" in r.getMessage()
        for r in caplog.records
    )
    assert await Customer.filter(external_userid=EXTERNAL).count() == 1
    outbound = await Interaction.filter(direction="out").values_list("kind", "content")
    assert outbound == [("reply:none", None)]  # the outcome: answered "success", nothing sent
    assert fake_wechat.calls_to("/cgi-bin/message/send") == []


@pytest.mark.parametrize("event", ["subscribe", "unsubscribe"])
async def test_a_member_following_the_app_is_not_a_customer(
    client: TestClient, wecom: Simulator, caplog: pytest.LogCaptureFixture, event: str
) -> None:
    with caplog.at_level(logging.INFO, "siyu.handlers"):
        body, reply = await wecom_send(client, wecom, event_xml("lisi", wecom.receiver, event))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    if event == "subscribe":
        assert "/help" in content(reply) and APOLOGY not in content(reply)
    else:
        assert body == "success"
    assert await Customer.all().count() == 0
