"""The full loop: a customer complains through the webhook, staff are told, the SLA job on
the (injected-clock) scheduler escalates each breach exactly once whichever leader runs it,
staff work the ticket from WeCom, the resolution and the satisfaction question reach the
customer, the rating is stored, 还是不行 reopens. And a failed notice is retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from bot.keys import CLIENTS, LEADERSHIP, PIPELINE, SCHEDULER
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator
from crm.clock import FrozenClock
from crm.complaints import config
from crm.complaints.config import ComplaintSettings, NotifySettings
from crm.models import (
    Complaint,
    ComplaintHistory,
    ComplaintNotification,
    ComplaintStatus,
    Interaction,
    NotificationStatus,
)
from handlers import complaints as complaint_handlers
from scheduler.complaint_sla import ComplaintJobs
from tests.complaints.support import customer_says, staff_says
from tests.complaints.test_chat_flow import OPENID, customer, number_in

SEND = "/cgi-bin/message/send"


def jobs(client: TestClient, clock: FrozenClock, **settings: object) -> ComplaintJobs:
    chosen = ComplaintSettings(team_lead="lead", **settings)  # type: ignore[arg-type]
    return ComplaintJobs(client.app[CLIENTS], ["boss"], "Asia/Shanghai", clock, chosen)


def later(**delta: float) -> FrozenClock:
    return FrozenClock(datetime.now(UTC) + timedelta(**delta))


async def test_the_full_loop_with_sla_escalation(
    client: TestClient, oa: Simulator, wecom: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    number = number_in(await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 1))
    await customer_says(client, oa, OPENID, "订单号 202611300001", 2)
    assert len(fake_wechat.sent_texts("boss")) == 1
    listed = await staff_says(client, wecom, "boss", "/complaints")
    assert number in listed and "首次响应剩 3 小时" in listed

    clock = later(hours=5)  # past the 4 h first-response deadline of a normal complaint
    assert await jobs(client, clock).check_sla() == 1
    assert await jobs(client, clock).check_sla() == 0  # another leader, the same breach
    clock.advance(minutes=30)
    assert await jobs(client, clock).check_sla() == 0
    [escalation] = fake_wechat.sent_texts("lead")
    assert "超时升级" in escalation and number in escalation and "首次响应" in escalation

    assert "已受理" in await staff_says(client, wecom, "boss", f"/ack {number}")
    assert "已指派" in await staff_says(client, wecom, "boss", f"/assign {number} wangwu")
    await complaint_handlers.drain()
    [told] = fake_wechat.sent_texts("wangwu")
    assert "指派给您" in told and number in told and "139****2222" in told
    assert "已在工单" in await staff_says(client, wecom, "boss", f"/note {number} 已联系快递")
    clock.advance(hours=44)  # past the 48 h resolution deadline
    assert await jobs(client, clock).check_sla() == 1
    assert len(fake_wechat.sent_texts("lead")) == 2

    fake_wechat.inbound(OPENID)  # the customer wrote: the 48-hour window is open
    reply = await staff_says(client, wecom, "boss", f"/resolve {number} 已为您补发，明天送达")
    assert "已解决" in reply and "已发送给客户" in reply
    pushed = fake_wechat.sent_texts(OPENID)
    assert any("已为您补发，明天送达" in text and number in text for text in pushed)
    assert any("1–5" in text for text in pushed)
    assert "感谢您的评价" in await customer_says(client, oa, OPENID, "５分", 3)
    ticket = await Complaint.get(number=number)
    assert ticket.satisfaction == 5 and ticket.status is ComplaintStatus.RESOLVED

    reply = await customer_says(client, oa, OPENID, "还是不行，快递还没到", 4)
    assert "重新打开" in reply and number in reply
    assert (await Complaint.get(number=number)).status is ComplaintStatus.REOPENED
    assert len(fake_wechat.sent_texts("boss")) == 2  # told again
    detail = await staff_says(client, wecom, "boss", f"/ticket {number}")
    for action in ("创建", "客户补充", "受理（待受理→处理中）", "指派", "备注", "解决", "客户评价",
                   "重新打开（已解决→已重开）"):  # fmt: skip
        assert action in detail
    actions = [h.action for h in await ComplaintHistory.filter(complaint_id=ticket.id)]
    assert actions.count("resolve") == 1 and actions.count("reopen") == 1
    assert "已解决" in await staff_says(client, wecom, "boss", f"/resolve {number} 已退款")
    assert "已关闭" in await staff_says(client, wecom, "boss", f"/close {number}")


async def test_resolving_outside_the_window_records_it(
    client: TestClient, oa: Simulator, wecom: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    number = number_in(
        await customer_says(client, oa, OPENID, "投诉：杯子是碎的，订单 12345678", 5)
    )
    await Interaction.filter(customer__openid=OPENID).update(
        created_at=datetime.now(UTC) - timedelta(hours=49)
    )
    reply = await staff_says(client, wecom, "boss", f"/resolve {number} 已退款")
    assert "窗口已关闭" in reply
    assert fake_wechat.sent_texts(OPENID) == []
    ticket = await Complaint.get(number=number)
    assert ticket.satisfaction_asked_at is None
    assert await ComplaintHistory.filter(complaint_id=ticket.id, note__contains="窗口").count()


async def test_a_failed_notice_never_fails_the_reply_and_is_retried(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    fake_wechat.fail_next(SEND, -1)
    reply = await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 7)
    assert "工单号" in reply
    [row] = await ComplaintNotification.all()
    assert row.status is NotificationStatus.PENDING and row.attempts == 1 and row.last_error
    assert fake_wechat.sent_texts("boss") == []
    assert await jobs(client, later(seconds=5)).retry() == 0  # not due yet (backoff)
    assert await jobs(client, later(seconds=40)).retry() == 1
    assert len(fake_wechat.sent_texts("boss")) == 1
    assert (await ComplaintNotification.get(id=row.id)).status is NotificationStatus.SENT
    assert await jobs(client, later(seconds=90)).retry() == 0  # sent once


async def test_tag_and_group_robot_notices_go_out_from_the_job(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    notify = NotifySettings(totag="7", robot_key="robot-key-1")
    saved = config.current()
    config.configure(ComplaintSettings(notify=notify))
    try:
        await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 8)
    finally:
        config.configure(saved)
    assert await jobs(client, later(seconds=1), notify=notify).retry() == 2
    [tagged] = fake_wechat.calls_to(SEND)
    assert tagged.body["totag"] == "7" and "物流配送" in tagged.body["text"]["content"]
    [robot] = fake_wechat.calls_to("/cgi-bin/webhook/send")
    assert robot.query["key"] == "robot-key-1" and robot.errcode == 0
    assert "物流配送" in robot.body["text"]["content"]


async def test_the_elected_scheduler_runs_the_complaint_jobs(client: TestClient) -> None:
    app = client.server.app
    for _ in range(40):
        if app[LEADERSHIP].leading:
            break
        await asyncio.sleep(0.05)
    jobs_now = app[SCHEDULER].jobs()
    assert "complaint-sla" in jobs_now and "complaint-notify" in jobs_now


async def test_reopening_only_within_the_window_on_the_injected_clock(
    client: TestClient, oa: Simulator, wecom: Simulator
) -> None:
    clock = FrozenClock(datetime.now(UTC))
    client.app[PIPELINE].clock = clock  # what the handlers read the time from
    await customer()
    number = number_in(
        await customer_says(client, oa, OPENID, "投诉：杯子是碎的，订单 12345678", 20)
    )
    await staff_says(client, wecom, "boss", f"/resolve {number} 已退款")
    clock.advance(days=8)
    reply = await customer_says(client, oa, OPENID, "还是不行", 21)
    assert "重新打开" not in reply
    assert (await Complaint.get(number=number)).status is ComplaintStatus.RESOLVED
    clock.advance(days=-2)
    assert "重新打开" in await customer_says(client, oa, OPENID, "还是不行", 22)
    assert (await Complaint.get(number=number)).status is ComplaintStatus.REOPENED
