"""Who a WeCom callback is from: only a member's own message registers a staff member; `sys`,
an empty sender and events (system or member) register nobody."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator, event_xml, text_xml
from crm.models import Role, Staff


async def deliver(client: TestClient, wecom: Simulator, xml: str) -> int:
    request = wecom.wecom(xml)
    resp = await client.post("/wechat/wecom", params=request.params, data=request.body)
    return resp.status


async def test_system_events_register_no_staff(client: TestClient, wecom: Simulator) -> None:
    events = [
        event_xml("sys", wecom.receiver, "change_contact", ChangeType="update_user", UserID="x"),
        event_xml("sys", wecom.receiver, "change_external_chat", ChatId="wr1", ChangeType="create"),
        event_xml("sys", wecom.receiver, "batch_job_result", JobId="j1"),
    ]
    for xml in events:
        assert await deliver(client, wecom, xml) == 200
    assert await Staff.all().count() == 0


async def test_a_member_event_registers_nobody(client: TestClient, wecom: Simulator) -> None:
    assert await deliver(client, wecom, event_xml("lisi", wecom.receiver, "enter_agent")) == 200
    assert not await Staff.exists(userid="lisi")


async def test_a_member_message_registers_the_member(client: TestClient, wecom: Simulator) -> None:
    assert await deliver(client, wecom, text_xml("lisi", wecom.receiver, "/whoami")) == 200
    assert await deliver(client, wecom, text_xml("boss", wecom.receiver, "/whoami")) == 200
    roles = {s.userid: s.role for s in await Staff.all()}
    assert roles == {"lisi": Role.VIEWER, "boss": Role.ADMIN}  # staff.default_role: viewer
