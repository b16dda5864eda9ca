"""What a customer notices in the chat: opting out and back in, asking for a person,
complaining. Real app, real database, the fake WeChat API's recorded calls."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, text_xml
from crm.models import Customer, Interaction
from handlers import complaints as complaint_handlers
from tests.handlers.conftest import AppFactory
from tests.handlers.helpers import OPENID, content, oa_send

SEND = "/cgi-bin/message/send"
DEFAULT = "收到您的消息啦，谢谢！"


async def known_customer() -> Customer:
    return await Customer.create(
        openid=OPENID, display_name="李娜", phone="+8613911112222", subscribed=True
    )


async def test_opt_out_then_back_in(client: TestClient, oa: Simulator) -> None:
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "退订", 1))
    assert "已为您退订" in content(reply)
    assert (await Customer.get(openid=OPENID)).opted_out
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "恢复订阅", 2))
    assert "已为您恢复订阅" in content(reply)
    assert not (await Customer.get(openid=OPENID)).opted_out


async def test_opt_out_by_intent(client: TestClient, oa: Simulator) -> None:
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "别再给我发消息了", 3))
    assert "已为您退订" in content(reply)
    assert (await Customer.get(openid=OPENID)).opted_out


async def test_human_agent_notifies_the_on_duty_staff(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    """staff_admins is [boss] in the test config: boss is on duty by default."""
    await known_customer()
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "在吗，我想改一下收货地址", 10))
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "人工", 11))
    assert "已为您转接人工客服" in content(reply)
    [notice] = fake_wechat.calls_to(SEND)
    assert notice.body["touser"] == "boss" and notice.errcode == 0
    text = notice.body["text"]["content"]
    assert "【转人工】" in text and "李*" in text and "139****2222" in text
    assert "李娜" not in text and "13911112222" not in text  # masked
    lines = text.splitlines()
    said = [
        i
        for i, line in enumerate(lines)
        if "在吗，我想改一下收货地址" in line or line.endswith("客户：人工")
    ]
    assert len(said) == 2 and said[0] < said[1]  # both messages, newest last
    assert any("我们：" in line for line in lines)  # our reply in between


async def test_notice_goes_to_every_configured_userid(
    app_with: AppFactory, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    client = await app_with(conversation={"human_agent": {"notify": ["kefu1", "kefu2"]}})
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "转人工", 12))
    assert "已为您转接人工客服" in content(reply)
    assert [c.body["touser"] for c in fake_wechat.calls_to(SEND)] == ["kefu1|kefu2"]


async def test_human_agent_without_staff_promises_nothing(
    app_with: AppFactory, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    client = await app_with(conversation={"staff_admins": []})
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "人工", 13))
    assert "转接" not in content(reply) and "留言" in content(reply)
    assert fake_wechat.calls_to(SEND) == []


async def test_a_failed_notice_still_answers_the_customer(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    fake_wechat.fail_next(SEND, 81013)
    with caplog.at_level(logging.ERROR, "siyu.handlers.handover"):
        _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "人工", 14))
    assert "留言" in content(reply) and "转接" not in content(reply)
    assert any("hand-over notice" in r.getMessage() for r in caplog.records)
    assert await Interaction.filter(dedupe_key="msg:14:reply").count() == 1


@pytest.mark.parametrize("text", ["快递太慢了，我要投诉", "东西太差了，退款！", "我要退款"])
async def test_a_complaint_gets_an_apology_and_a_person(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat, text: str
) -> None:
    await known_customer()
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, text, 20))
    answer = content(reply)
    assert DEFAULT not in answer and "抱歉" in answer and "客服" in answer
    await complaint_handlers.drain()  # the staff notice goes out off the reply's path
    [notice] = fake_wechat.calls_to(SEND)
    assert "投诉】" in notice.body["text"]["content"]
    assert text in notice.body["text"]["content"]


async def test_a_complaint_without_staff_is_still_answered_honestly(
    app_with: AppFactory, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    client = await app_with(conversation={"staff_admins": []})
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "快递太慢了，我要投诉", 21))
    assert "抱歉" in content(reply) and "上班后" in content(reply)
    assert fake_wechat.calls_to(SEND) == []


async def test_an_ordinary_message_gets_the_default(client: TestClient, oa: Simulator) -> None:
    _, reply = await oa_send(client, oa, text_xml(OPENID, oa.receiver, "这个口红有没有新色号", 30))
    assert DEFAULT in content(reply)


async def test_the_notice_masks_what_the_chat_lines_carry(
    client: TestClient, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    await known_customer()
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "我是李娜，电话13911112222", 40))
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "人工", 41))
    text = fake_wechat.calls_to(SEND)[0].body["text"]["content"]
    assert "我是李*，电话139****2222" in text and "13911112222" not in text


async def test_the_notice_in_full(
    app_with: AppFactory, oa: Simulator, fake_wechat: FakeWeChat
) -> None:
    """No name or phone on file, the last three lines only (both directions, newest last),
    whitespace collapsed, long lines cut, local times."""
    client = await app_with(
        conversation={"human_agent": {"notify": ["kefu1"], "recent_messages": 3}}
    )
    long = "请问 这款\n面霜" + "适合什么肤质" * 20
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "第一条，不该出现", 50))
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, long, 51))
    await oa_send(client, oa, text_xml(OPENID, oa.receiver, "转人工", 52))
    customer = await Customer.get(openid=OPENID)
    rows = await Interaction.filter(customer_id=customer.id).order_by("id")  # last: our answer
    zone = ZoneInfo("Asia/Shanghai")
    at = [f"{row.created_at.astimezone(zone):%m-%d %H:%M}" for row in rows[-4:-1]]
    said = [" ".join(str(row.content).split()) for row in rows[-4:-1]]
    assert said[0] == "请问 这款 面霜" + "适合什么肤质" * 20 and said[2] == "转人工"
    assert fake_wechat.sent_texts("kefu1") == [
        f"【转人工】公众号客户 未留名（未留手机号，客户编号 {customer.id}）\n最近消息：\n"
        f"{at[0]} 客户：{said[0][:79]}…\n{at[1]} 我们：{said[1]}\n{at[2]} 客户：转人工\n"
        "请尽快联系客户跟进。"
    ]
