"""Retries that the store can no longer answer (the claim lapsed, or the store restarted) are
answered from the database: the recorded outcome when there is one, the handler when the first
attempt never finished. Two apps here, each with its own in-process store, stand for a process
restarted between WeChat's delivery and its retry."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.keys import JOURNAL
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import SignedRequest, Simulator, text_xml
from crm.interactions import NewInteraction
from crm.models import Channel, Customer, Direction, Interaction
from tests.webhooks.test_wecom import contact_event

OPENING_HOURS = "每天 9:00–21:00 营业。"


async def deliver(client: TestClient, path: str, request: SignedRequest) -> bytes:
    resp = await client.post(path, params=request.params, data=request.body)
    assert resp.status == 200
    return await resp.read()


async def restarted(aiohttp_client, settings: Settings) -> TestClient:  # type: ignore[no-untyped-def]
    """Another app on the same database with an empty store of its own."""
    assert settings.redis_url is None
    client: TestClient = await aiohttp_client(create_app(settings))
    return client


async def test_a_retry_gets_the_recorded_reply(
    aiohttp_client, client: TestClient, settings: Settings, oa: Simulator
) -> None:  # type: ignore[no-untyped-def]
    request = oa.oa_safe(text_xml("o_retry", oa.receiver, "营业时间", 7001), openid="o_retry")
    first = oa.read_reply(await deliver(client, "/wechat/oa", request))
    later = await restarted(aiohttp_client, settings)
    again = oa.read_reply(await deliver(later, "/wechat/oa", request))
    assert first is not None and again is not None
    assert first["Content"] == again["Content"] == OPENING_HOURS
    assert await Interaction.filter(dedupe_key__startswith="msg:7001").count() == 2


async def test_a_retry_of_a_silent_answer_runs_nothing_again(
    aiohttp_client,
    client: TestClient,
    settings: Settings,
    wecom: Simulator,
    fake_wechat: FakeWeChat,
) -> None:  # type: ignore[no-untyped-def]
    request = wecom.wecom(contact_event("add_external_contact", 1_700_000_321))
    assert await deliver(client, "/wechat/wecom", request) == b"success"
    later = await restarted(aiohttp_client, settings)
    assert await deliver(later, "/wechat/wecom", request) == b"success"
    welcomes = [c for c in fake_wechat.calls if c.path.endswith("send_welcome_msg")]
    assert [c.errcode for c in welcomes] == [0]  # a second run would have spent the code: 41051
    outcome = await Interaction.get(dedupe_key__endswith=":reply")
    assert (outcome.kind, outcome.payload, outcome.direction) == ("reply:none", None, "out")


async def test_a_recorded_message_without_outcome_is_handled(
    client: TestClient, oa: Simulator
) -> None:
    """What a process killed inside the handler leaves behind: the message, no outcome."""
    customer = await Customer.create(openid="o_crashed")
    inbound = NewInteraction(
        Channel.OA, Direction.IN, "text", customer.id, content="营业时间", dedupe_key="msg:7002"
    )
    assert await client.app[JOURNAL].record(inbound)
    request = oa.oa_safe(text_xml("o_crashed", oa.receiver, "营业时间", 7002), openid="o_crashed")
    reply = oa.read_reply(await deliver(client, "/wechat/oa", request))
    assert reply is not None and reply["Content"] == OPENING_HOURS
    kinds = await Interaction.filter(dedupe_key__startswith="msg:7002").values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["reply:text", "text"]
