"""The complaint loop through the real webhooks (signed, encrypted, as WeChat sends them) and
the WeCom staff commands, against the fake WeChat API."""

from __future__ import annotations

import asyncio
import re

from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator
from crm.models import (
    Complaint,
    ComplaintHistory,
    ComplaintMessage,
    ComplaintStatus,
    Customer,
    Role,
    Staff,
)
from tests.complaints.support import customer_says, staff_says

OPENID = "oComplaint001"
_NUMBER = re.compile(r"C\d{8}-\d{4}")


async def customer(openid: str = OPENID, name: str = "李娜", phone: str = "+8613911112222"
                   ) -> Customer:  # fmt: skip
    return await Customer.create(openid=openid, display_name=name, phone=phone, subscribed=True)


def number_in(text: str) -> str:
    found = _NUMBER.search(text)
    assert found, text
    return found.group()


async def test_a_complaint_opens_a_ticket_asks_once_and_takes_the_answer(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    reply = await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 101)
    number = number_in(reply)
    assert "工单号" in reply and "订单号" in reply
    [notice] = fake_wechat.sent_texts("boss")
    assert number in notice and "物流配送" in notice and "普通" in notice
    assert "139****2222" in notice and "李娜" in notice and "快递三天还没到" in notice
    assert "13911112222" not in notice
    reply = await customer_says(client, oa, OPENID, "订单号 202611300001", 102)
    assert f"已补充到工单 {number}" in reply
    ticket = await Complaint.get(number=number)
    texts = [m.text for m in await ComplaintMessage.filter(complaint_id=ticket.id).order_by("id")]
    assert texts == ["我要投诉，快递三天还没到", "订单号 202611300001"]
    reply = await customer_says(client, oa, OPENID, "你好", 103)
    assert "工单" not in reply  # the follow-up was one question: the chat is back to normal


async def test_a_retried_delivery_does_not_advance_the_flow_twice(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer()
    first = await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 201)
    again = await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 201)
    assert again == first and await Complaint.all().count() == 1
    answer = await customer_says(client, oa, OPENID, "单号 998877665544", 202)
    retried = await customer_says(client, oa, OPENID, "单号 998877665544", 202)
    assert retried == answer
    assert await ComplaintMessage.all().count() == 2
    assert await ComplaintHistory.filter(action="details").count() == 1
    assert len(fake_wechat.sent_texts("boss")) == 1


async def test_two_customers_in_parallel_flows(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await customer("oA", "张三", "+8613800000001")
    await customer("oB", "王五", "+8613800000002")
    a, b = await asyncio.gather(
        customer_says(client, oa, "oA", "投诉，衣服质量太差", 301),
        customer_says(client, oa, "oB", "我要投诉，快递丢件了", 302),
    )
    assert number_in(a) != number_in(b)
    a2, b2 = await asyncio.gather(
        customer_says(client, oa, "oA", "订单 111122223333，衣服破了个洞", 303),
        customer_says(client, oa, "oB", "订单 444455556666", 304),
    )
    assert number_in(a) in a2 and number_in(b) in b2
    by_a = await Complaint.get(number=number_in(a))
    assert await ComplaintMessage.filter(complaint_id=by_a.id).count() == 2
    assert by_a.category == "商品质量"


async def test_a_second_complaint_joins_the_open_ticket(client: TestClient, oa: Simulator) -> None:
    await customer()
    text = "我要投诉：昨天买的杯子到货就是碎的，订单 123456789"
    first = await customer_says(client, oa, OPENID, text, 401)
    assert "订单号" not in first  # details given: no question
    second = await customer_says(client, oa, OPENID, "投诉！再不处理我就打12315", 402)
    assert number_in(first) in second and await Complaint.all().count() == 1
    assert (await Complaint.get(number=number_in(first))).severity.value == "urgent"


async def test_staff_commands_explain_what_is_wrong(
    client: TestClient, oa: Simulator, wecom: Simulator
) -> None:
    await customer()
    number = number_in(await customer_says(client, oa, OPENID, "投诉，客服态度很差，骂人", 501))
    assert "缺少参数" in (reply := await staff_says(client, wecom, "boss", "/ack"))
    assert "/ack C20261201-0001" in reply
    assert "没有找到" in await staff_says(client, wecom, "boss", "/ack C20991231-0009")
    assert "已受理" in await staff_says(client, wecom, "boss", f"/ack {number[1:]}")
    reply = await staff_says(client, wecom, "boss", f"/ack {number}")
    assert "状态" in reply and "处理中" in reply and "用法" in reply
    assert "可选" in await staff_says(client, wecom, "boss", f"/category {number} 天气")
    assert "价格" in await staff_says(client, wecom, "boss", f"/category {number} 价格")
    await Staff.create(userid="intern", role=Role.VIEWER)
    denied = await staff_says(client, wecom, "intern", f"/resolve {number} 好了")
    assert "已解决" not in denied and ("权限" in denied or "角色" in denied)
    assert (await Complaint.get(number=number)).status is ComplaintStatus.ACKNOWLEDGED


async def test_a_ticket_note_is_not_a_customer_note(
    client: TestClient, oa: Simulator, wecom: Simulator
) -> None:
    """/note C… is the ticket's; /note 42 … is left to the staff commands' customer note."""
    await customer()
    number = number_in(
        await customer_says(client, oa, OPENID, "投诉，快递丢件了，订单 12345678", 601)
    )
    assert "已在工单" in await staff_says(client, wecom, "boss", f"/note {number} 已致电客户")
    other = await staff_says(client, wecom, "boss", "/note 42 老客户")
    assert "工单" not in other
    [noted] = await ComplaintHistory.filter(action="note")
    assert noted.note == "已致电客户" and noted.actor == "staff:boss"


async def test_an_unsubscribe_while_a_question_is_pending_still_opts_out(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    someone = await customer()
    reply = await customer_says(client, oa, OPENID, "我要投诉，快递三天还没到", 301)
    number = number_in(reply)
    assert "已为您退订" in await customer_says(client, oa, OPENID, "退订", 302)
    await someone.refresh_from_db()
    assert someone.opted_out
    reply = await customer_says(client, oa, OPENID, "订单号 202611300001", 303)
    assert f"已补充到工单 {number}" in reply  # the question still waits for its answer
