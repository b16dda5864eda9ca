"""The dispatcher in-process against the fake WeChat API (windows enforced): every channel
branch, every error code, opt-out between enqueue and send, the shared rate limit."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import OperationalError

from bot.config import Settings
from bot.store import RedisStore
from bot.wechat.fake import FakeWeChat
from crm.clock import FrozenClock
from crm.models import CampaignDelivery, DeliveryStatus, Interaction, SendChannel
from crm.sql import is_postgres
from tests.campaigns.dispatch_support import (
    TEMPLATE,
    activity,
    campaign,
    customer,
    dispatcher,
    enqueue,
    status_of,
)

CS = "/cgi-bin/message/custom/send"
TPL = "/cgi-bin/message/template/send"
TASK = "/cgi-bin/externalcontact/add_msg_template"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
def fake_wechat(clock: FrozenClock) -> FakeWeChat:
    return FakeWeChat(windows=True, clock=clock)


def _ok(fake: FakeWeChat, path: str) -> list[dict]:
    return [call.body for call in fake.calls_to(path) if not call.errcode]


async def test_customer_service_inside_the_window(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    ann = await customer("ann")
    await activity(ann, clock, "text", ago=3600)
    fake_wechat.inbound("o-ann", at=(clock.now() - timedelta(hours=1)).timestamp())
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        assert await d.dispatch_once() == 1
    row = await status_of(ann)
    assert (row.status, row.channel, row.content) == (
        DeliveryStatus.SENT, SendChannel.CUSTOMER_SERVICE, "ann，生日快乐！",
    )  # fmt: skip
    assert [b["text"]["content"] for b in _ok(fake_wechat, CS)] == ["ann，生日快乐！"]
    assert await Interaction.filter(customer=ann, direction="out", kind="push:text").count() == 1


async def test_template_outside_the_window(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    bob = await customer("bob")
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    row = await status_of(bob)
    assert (row.status, row.channel) == (DeliveryStatus.SENT, SendChannel.TEMPLATE)
    [sent] = _ok(fake_wechat, TPL)
    assert sent["template_id"] == "tpl-birthday" and sent["data"] == {"thing1": {"value": "bob"}}
    assert row.wechat_msgid and fake_wechat.calls_to(CS) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "unreachable"),  # follows, no window, no template mapped
        ({"subscribed": False}, "unreachable"),
        ({"opted_out": True}, "opted_out"),
        ({"openid": None, "external_userid": "wm-x"}, "unreachable"),  # no staff member
    ],
)
async def test_skipped_with_the_reason(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock, fields: dict, reason: str
) -> None:
    target = await customer("cat", **fields)
    await enqueue(await campaign(), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    row = await status_of(target)
    assert (row.status, row.reason) == (DeliveryStatus.SKIPPED, reason)
    assert fake_wechat.calls_to(CS) == fake_wechat.calls_to(TPL) == fake_wechat.calls_to(TASK) == []


async def test_opt_out_between_enqueue_and_send(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    dan = await customer("dan")
    await activity(dan, clock, "text")
    await enqueue(await campaign(template=TEMPLATE), clock)
    dan.opted_out = True  # 退订 arrives after the run was enqueued
    await dan.save()
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    assert (await status_of(dan)).reason == "opted_out"
    assert fake_wechat.calls == []


async def test_opt_out_after_the_claim_is_read_again_before_the_send(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    """The worker claims the next batch while the one before is sent: an opt-out arriving in
    between still holds."""
    eve = await customer("eve")
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        taken = await d.take()  # claimed and prepared: eve had not opted out yet
        assert len(taken.sends) == 1
        eve.opted_out = True
        await eve.save()
        await d.send(taken)
    assert ((await status_of(eve)).status, (await status_of(eve)).reason) == (
        DeliveryStatus.SKIPPED, "opted_out",
    )  # fmt: skip
    assert fake_wechat.calls_to(TPL) == []


async def test_a_scan_opens_three_then_the_template_takes_over(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    eve = await customer("eve")
    await activity(eve, clock, "event:SCAN", ago=10)
    fake_wechat.inbound("o-eve", at=clock.now().timestamp() - 10)
    target = await campaign(template=TEMPLATE)
    for day in range(4):
        await enqueue(target, clock, key=f"run-{day}")
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    channels = sorted(str(r.channel) for r in await CampaignDelivery.filter(customer=eve))
    assert channels == ["customer_service"] * 3 + ["template"]
    assert len(_ok(fake_wechat, CS)) == 3


async def test_wecom_task_waits_for_staff_then_is_polled(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    fei = await customer("fei", openid=None, external_userid="wm-fei", follow_user="kefu1")
    gus = await customer("gus", openid=None, external_userid="wm-gus", follow_user="kefu1")
    fake_wechat.add_contact("wm-fei", "kefu1")
    fake_wechat.add_contact("wm-gus", "kefu1")
    await enqueue(await campaign(text="会员日快乐！"), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
        [task] = _ok(fake_wechat, TASK)  # one text, one staff member: one task
        assert sorted(task["external_userid"]) == ["wm-fei", "wm-gus"] and task["sender"] == "kefu1"
        assert (await status_of(fei)).status is DeliveryStatus.WAITING
        assert await d.poller.poll() == 0  # not confirmed yet
        [msgid] = list(fake_wechat.tasks)
        fake_wechat.confirm_group_msg(msgid, "kefu1")
        assert await d.poller.poll() == 2
    rows = [await status_of(fei), await status_of(gus)]
    assert {(r.status, r.channel) for r in rows} == {(DeliveryStatus.SENT, SendChannel.WECOM_TASK)}
    assert await Interaction.filter(direction="out", kind="task:text").count() == 2


async def test_wecom_task_not_delivered_is_failed(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    hal = await customer("hal", openid=None, external_userid="wm-hal", follow_user="kefu1")
    fake_wechat.add_contact("wm-hal", "kefu1")
    await enqueue(await campaign(), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
        fake_wechat.confirm_group_msg(next(iter(fake_wechat.tasks)), "kefu1", status=3)
        await d.poller.poll()
    row = await status_of(hal)
    assert (row.status, row.reason) == (DeliveryStatus.FAILED, "wecom: customer's monthly limit")


@pytest.mark.parametrize("errcode", [-1, 45009, 45011])
async def test_retryable_codes_back_off_then_fail(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock, errcode: int
) -> None:
    ivy = await customer("ivy")
    await enqueue(await campaign(template=TEMPLATE), clock)
    fake_wechat.fail_next(TPL, errcode, times=3)
    async with dispatcher(settings, clock, max_attempts=3) as d:
        await d.dispatch_once()
        row = await status_of(ivy)
        assert (row.status, row.attempts, row.errcode) == (DeliveryStatus.PENDING, 1, errcode)
        assert row.due_at > clock.now() and await d.dispatch_once() == 0  # not before due_at
        for _ in range(2):
            clock.set(row.due_at)
            await d.dispatch_once()
            row = await status_of(ivy)
    assert (row.status, row.errcode, row.sent_at) == (DeliveryStatus.FAILED, errcode, None)
    tried = [c for c in fake_wechat.calls_to(TPL) if c.errcode == errcode]  # not 42001: an hour on
    assert len(tried) == 3 and len(_ok(fake_wechat, TPL)) == 0


async def test_a_retry_that_succeeds_is_sent_once(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    jo = await customer("jo")
    await enqueue(await campaign(template=TEMPLATE), clock)
    fake_wechat.fail_next(TPL, -1)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
        clock.set((await status_of(jo)).due_at)
        await d.dispatch_once()
    assert (await status_of(jo)).status is DeliveryStatus.SENT
    assert len(_ok(fake_wechat, TPL)) == 1


@pytest.mark.parametrize("errcode", [43004, 40003, 48001, 45015, 45047])
async def test_final_codes_fail_with_the_code(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock, errcode: int
) -> None:
    kim = await customer("kim")
    await enqueue(await campaign(template=TEMPLATE), clock)
    fake_wechat.fail_next(TPL, errcode)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
        assert await d.dispatch_once() == 0
    row = await status_of(kim)
    assert (row.status, row.errcode, row.channel) == (
        DeliveryStatus.FAILED, errcode, SendChannel.TEMPLATE,
    )  # fmt: skip


@pytest.mark.parametrize("errcode", [45015, 45047])
async def test_closed_window_falls_back_to_the_template(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock, errcode: int
) -> None:
    lu = await customer("lu")
    await activity(lu, clock, "text")  # siyu believes the window is open; WeChat disagrees
    await enqueue(await campaign(template=TEMPLATE), clock)
    fake_wechat.fail_next(CS, errcode)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    row = await status_of(lu)
    assert (row.status, row.channel) == (DeliveryStatus.SENT, SendChannel.TEMPLATE)


async def test_closed_window_without_a_template_fails_with_the_code(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    mo = await customer("mo")
    await activity(mo, clock, "text")  # the fake never heard of it: 45015
    await enqueue(await campaign(), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    row = await status_of(mo)
    assert (row.status, row.errcode) == (DeliveryStatus.FAILED, 45015)


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_token_errors_refresh_and_send(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock, errcode: int
) -> None:
    ned = await customer("ned")
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        fake_wechat.fail_next(TPL, errcode)
        await d.dispatch_once()
    assert (await status_of(ned)).status is DeliveryStatus.SENT


async def test_template_value_that_does_not_fit_fails_the_delivery(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    long = await customer("long", display_name="一位名字非常非常长的尊贵会员朋友您好呀呀呀")
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
    row = await status_of(long)
    assert row.status is DeliveryStatus.FAILED and row.reason.startswith("render_failed")
    assert fake_wechat.calls_to(TPL) == []


async def test_rate_limit_is_shared_by_workers(
    settings: Settings, fake_wechat: FakeWeChat, redis_url: str
) -> None:
    clock = FrozenClock(datetime.now(UTC))  # the limit runs on real time (Redis's clock)
    for index in range(40):
        await customer(f"r{index}")
    await enqueue(await campaign(template=TEMPLATE), clock)
    store_a, store_b = RedisStore(redis_url), RedisStore(redis_url)
    limits = {"rate_limits": {"template": 20.0}, "batch_size": 20}
    started = time.monotonic()
    async with (
        dispatcher(settings, clock, store=store_a, worker="a", **limits) as a,
        dispatcher(settings, clock, store=store_b, worker="b", **limits) as b,
    ):
        await asyncio.gather(a.dispatch_once(), b.dispatch_once())
    elapsed = time.monotonic() - started
    await store_a.close()
    await store_b.close()
    assert len(_ok(fake_wechat, TPL)) == 40
    assert 1.7 <= elapsed <= 4.0  # 40 at 20/s, a burst of 2: about 1.9 s for both together


async def test_quiet_hours_reached_while_waiting_defer_at_send_time(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock
) -> None:
    """Enqueued at 10:00 (Shanghai) but still waiting at 22:30: held until 08:00, then sent."""
    bob = await customer("bob")
    quiet = await campaign(template=TEMPLATE, quiet_start="22:00", quiet_end="08:00")
    await enqueue(quiet, clock)
    clock.set(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai
    async with dispatcher(settings, clock) as d:
        await d.dispatch_once()
        row = await status_of(bob)
        assert (row.status, row.attempts, row.claimed_by) == (DeliveryStatus.PENDING, 0, None)
        assert row.due_at == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 the next morning
        assert fake_wechat.calls_to(TPL) == []
        clock.set(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
        await d.dispatch_once()
    assert (await status_of(bob)).status is DeliveryStatus.SENT
    assert len(_ok(fake_wechat, TPL)) == 1


async def test_a_failed_write_of_accepted_sends_is_tried_again_not_sent_again(
    settings: Settings, fake_wechat: FakeWeChat, clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """WeChat accepted them; the database refused the record twice (a failover, a dropped
    connection): the write is repeated, and nobody gets the message a second time."""
    from crm.campaigns import sent as sent_module
    from scheduler.dispatch import outcomes

    writer = sent_module._mark_sqlite if not is_postgres() else sent_module._mark_postgres
    failures = iter([OperationalError("server closed the connection")] * 2)

    async def flaky(*args: object) -> set[int]:
        if (error := next(failures, None)) is not None:
            raise error
        return await writer(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sent_module, writer.__name__, flaky)
    monkeypatch.setattr(outcomes, "RETRY_SECONDS", (0.01, 0.01, 0.01))
    people = [await customer(name) for name in ("dan", "eve")]
    await enqueue(await campaign(template=TEMPLATE), clock)
    async with dispatcher(settings, clock) as d:
        assert await d.dispatch_once() == 2
    assert [(await status_of(p)).status for p in people] == [DeliveryStatus.SENT] * 2
    assert sorted(b["touser"] for b in _ok(fake_wechat, TPL)) == ["o-dan", "o-eve"]
    journaled = Interaction.filter(direction="out", kind="template:message")
    assert await journaled.count() == 2
