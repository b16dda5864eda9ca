"""One person with something in every table that refers to a customer, and what identifies
them (the strings that must not survive erasure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise import Tortoise

from crm.database import APP
from crm.models import (
    AuditEntry,
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    Complaint,
    ComplaintHistory,
    ComplaintMessage,
    ComplaintNotification,
    ConsentRecord,
    Coupon,
    Customer,
    CustomerMerge,
    CustomerNote,
    CustomerTag,
    DeliveryStatus,
    Interaction,
    LifecycleChange,
    LifecycleStage,
    Order,
    PointsEntry,
    PointsKind,
    QuestionType,
    ResponseStatus,
    Segment,
    SegmentMember,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Tag,
    TagSource,
)

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
PHONE, NAME, OPENID, OTHER_OPENID = "+8613912345678", "王小明", "o-pipl-1", "o-pipl-2"
TEXT = "我家住在梧桐路八号，孩子刚满月"
SECRETS = (PHONE, "13912345678", NAME, OPENID, OTHER_OPENID, "梧桐路", "小区门口")


@dataclass(frozen=True)
class Person:
    live: Customer
    merged: Customer
    pending: CampaignDelivery
    sent: CampaignDelivery


async def _customers() -> tuple[Customer, Customer]:
    live = await Customer.create(openid=OPENID, display_name=NAME, phone=PHONE, city="杭州",
                                 birthday=date(1990, 5, 1), subscribed=True,
                                 marketing_consent=True, attributes={"address": "梧桐路八号"})  # fmt: skip
    merged = await Customer.create(openid=OTHER_OPENID, display_name=NAME, phone=PHONE,
                                   merged_into=live)  # fmt: skip
    await CustomerMerge.create(survivor=live, merged_id=merged.id, reason="phone",
                               snapshot={"merged": {"phone": PHONE, "display_name": NAME}})  # fmt: skip
    return live, merged


async def _chat(live: Customer) -> None:
    await Interaction.create(customer=live, channel="oa", direction="in", kind="text",
                             content=TEXT, payload=f"<xml>{OPENID}{TEXT}</xml>",
                             dedupe_key=f"msg:{OPENID}", sentiment_label="positive",
                             sentiment_score=0.9, keywords=["梧桐路"])  # fmt: skip
    tag, _ = await Tag.get_or_create(name="宝妈")
    await CustomerTag.create(customer=live, tag=tag, source=TagSource.KEYWORD)
    await CustomerNote.create(customer=live, author="staff:zhangsan", text=f"{NAME} 住梧桐路")
    await ConsentRecord.create(customer=live, granted=True, source="subscribe_text",
                               purpose="营销消息", at=NOW)  # fmt: skip
    await LifecycleChange.create(customer=live, from_stage=LifecycleStage.NEW,
                                 to_stage=LifecycleStage.ACTIVE, changed_at=NOW)  # fmt: skip
    await AuditEntry.create(at=NOW, actor="staff:zhangsan", action="customers.edit",
                            resource="customer", resource_id=str(live.id),
                            after={"phone": PHONE})  # fmt: skip


async def _complaint(live: Customer) -> None:
    c = await Complaint.create(customer=live, summary=f"{TEXT} 快递丢了", resolution="小区门口补发")
    await ComplaintMessage.create(complaint=c, text=TEXT, at=NOW)
    await ComplaintHistory.create(
        complaint=c, actor="staff:lisi", action="note", note="小区门口", at=NOW
    )
    await ComplaintNotification.create(complaint=c, key="opened", target="touser",
                                       recipient="lisi", text=f"{NAME} {PHONE} 投诉",
                                       next_attempt_at=NOW, created_at=NOW)  # fmt: skip


async def _survey(live: Customer) -> None:
    survey = await Survey.create(name="回访", intro="您好", thanks="谢谢")
    q = await SurveyQuestion.create(survey=survey, position=1, kind=QuestionType.TEXT, text="建议?")
    done = await SurveyResponse.create(survey=survey, customer=live, source="cli",
                                       status=ResponseStatus.COMPLETED, invited_at=NOW,
                                       expires_at=NOW)  # fmt: skip
    await SurveyAnswer.create(response=done, question=q, text=f"送到梧桐路 {PHONE}")
    await SurveyResponse.create(survey=survey, customer=live, source="cli", invited_at=NOW,
                                status=ResponseStatus.IN_PROGRESS, expires_at=NOW)  # fmt: skip


async def _money(live: Customer) -> None:
    await Order.create(customer=live, external_id="O-pipl-1", amount=Decimal("88.00"),
                       items_summary="奶粉", paid_at=NOW)  # fmt: skip
    await PointsEntry.create(customer=live, kind=PointsKind.EARN, amount=100, remaining=100,
                             reference="pipl:1", note=f"补偿 {NAME}")  # fmt: skip
    segment = await Segment.create(name="pipl", rule={"field": "subscribed", "op": "eq",
                                                      "value": True})  # fmt: skip
    await SegmentMember.create(segment=segment, customer=live)


async def _deliveries(live: Customer) -> tuple[CampaignDelivery, CampaignDelivery]:
    campaign = await Campaign.create(name="pipl", kind=CampaignKind.CUSTOM, text="{{ name }}",
                                     schedule={"cron": "0 10 * * *"})  # fmt: skip
    run = await CampaignRun.create(campaign=campaign, run_key="d1", run_date=NOW.date(),
                                   started_at=NOW)  # fmt: skip
    run2 = await CampaignRun.create(campaign=campaign, run_key="d2", run_date=NOW.date(),
                                    started_at=NOW)  # fmt: skip
    sent = await CampaignDelivery.create(run=run, campaign_id=campaign.id, customer=live,
                                         status=DeliveryStatus.SENT, due_at=NOW,
                                         content=f"{NAME}，您好", sent_at=NOW)  # fmt: skip
    pending = await CampaignDelivery.create(run=run2, campaign_id=campaign.id, customer=live,
                                            due_at=NOW + timedelta(hours=1))  # fmt: skip
    await Coupon.create(code="PIPL-1", campaign=campaign, run=run, customer=live)
    return pending, sent


async def seed_person() -> Person:
    live, merged = await _customers()
    await _chat(live)
    await _complaint(live)
    await _survey(live)
    await _money(live)
    pending, sent = await _deliveries(live)
    return Person(live, merged, pending, sent)


async def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as values (what a scan for leftovers reads)."""
    return {name: await model.all().values() for name, model in Tortoise.apps[APP].items()}


async def leftovers() -> list[str]:
    """`Table: secret` for each identifying string still stored anywhere."""
    found = []
    for name, rows in (await every_row()).items():
        text = repr(rows)
        found += [f"{name}: {s}" for s in SECRETS if s in text]
    return found
