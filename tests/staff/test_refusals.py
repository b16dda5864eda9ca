"""A viewer trying each write through the WeCom webhook: a polite refusal naming the role
needed, nothing changed, no audit row."""

from __future__ import annotations

import pytest

from crm.models import (
    AuditEntry,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Customer,
    CustomerNote,
    CustomerTag,
    PointsEntry,
    Tag,
)
from tests.staff.conftest import MakeCustomer, Send

WRITES = {
    "tag": "/tag {id} VIP",
    "untag": "/untag {id} 老客",
    "note": "/note {id} 试试写备注",
    "points": "/points {id} +100 试试加分",
    "campaign": "/campaign pause {campaign}",
}


async def snapshot(customer_id: int, campaign_id: int) -> tuple[object, ...]:
    customer = await Customer.get(id=customer_id)
    tags = await CustomerTag.filter(customer_id=customer_id).values_list("tag__name", flat=True)
    return (
        customer.points_balance, sorted(tags), await Tag.all().count(),
        await CustomerNote.all().count(), await PointsEntry.all().count(),
        (await Campaign.get(id=campaign_id)).status,
    )  # fmt: skip


@pytest.mark.parametrize("command", sorted(WRITES))
async def test_a_viewer_is_refused_every_write(
    command: str, members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer(tags=("老客",), points_balance=10)
    campaign = await Campaign.create(
        name="双十一", kind=CampaignKind.CUSTOM, text="hi", status=CampaignStatus.SCHEDULED,
        schedule={"at": "2026-11-11T10:00:00+08:00"},
    )  # fmt: skip
    before = await snapshot(c.id, campaign.id)
    reply = await send("kanke", WRITES[command].format(id=c.id, campaign=campaign.id))
    assert reply == (
        f"/{command}：抱歉，这条指令需要「运营」或更高的角色，您当前的角色是「只读」。"
        "如需开通，请联系管理员。"
    )
    assert await snapshot(c.id, campaign.id) == before
    assert await AuditEntry.all().count() == 0


async def test_an_unknown_member_is_a_viewer_and_refused(
    send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer()
    assert "您当前的角色是「只读」" in await send("xinren", f"/points {c.id} +5 试试")
    assert await PointsEntry.all().count() == 0 and await AuditEntry.all().count() == 0
