"""Export (PIPL art. 45, the right of access): everything held about one person, as JSON.

Every record of the person (the live one and those merged into it) and every table in
`coverage.REFERENCES`, unmasked: the export is for the person, and the door that asks for it
is admin only and audited."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from crm.customers import survivor_id
from crm.merge import jsonable
from crm.models import (
    AuditEntry,
    CampaignDelivery,
    Complaint,
    ComplaintHistory,
    ComplaintMessage,
    ComplaintNotification,
    ConsentRecord,
    Coupon,
    Customer,
    CustomerMerge,
    CustomerNote,
    Interaction,
    LifecycleChange,
    Order,
    PointsEntry,
    RfmScore,
    SegmentMember,
    SurveyAnswer,
    SurveyResponse,
)
from crm.models.tags import CustomerTag
from crm.pipl.erasure import person_records

ACTION = "customers.export"
# Where each customer reference of crm.pipl.coverage shows in the export.
SECTIONS: dict[str, str] = {
    "Customer.merged_into": "records", "Interaction.customer": "interactions",
    "CustomerTag.customer": "tags", "CustomerNote.customer": "notes",
    "SegmentMember.customer": "segments", "ConsentRecord.customer": "consent",
    "CampaignDelivery.customer": "campaign_deliveries", "Coupon.customer": "coupons",
    "Complaint.customer": "complaints", "ComplaintMessage.complaint": "complaint_messages",
    "ComplaintHistory.complaint": "complaint_history",
    "ComplaintNotification.complaint": "complaint_notifications",
    "SurveyResponse.customer": "survey_responses", "SurveyAnswer.response": "survey_answers",
    "Order.customer": "orders", "PointsEntry.customer": "points_ledger",
    "LifecycleChange.customer": "lifecycle_changes", "CustomerMerge.survivor": "merge_records",
    "CustomerMerge.merged_id": "merge_records", "RfmScore.customer_id": "rfm",
    "AuditEntry.resource_id": "audit",
}  # fmt: skip
Rows = list[dict[str, Any]]


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """A stored row as JSON has it (JSON columns are JSON already)."""
    return {name: jsonable(value) for name, value in values.items()}


async def _rows(qs: QuerySet[Any], *fields: str) -> Rows:
    return [_row(row) for row in await qs.order_by("id").values(*fields)]


async def _complaints(ids: list[int]) -> dict[str, Rows]:
    numbers = list(await Complaint.filter(customer_id__in=ids).values_list("id", flat=True))
    mine = {"complaint_id__in": numbers}
    return {
        "complaints": await _rows(Complaint.filter(id__in=numbers)),
        "complaint_messages": await _rows(ComplaintMessage.filter(**mine)),
        "complaint_history": await _rows(ComplaintHistory.filter(**mine)),
        "complaint_notifications": await _rows(ComplaintNotification.filter(**mine)),
    }


async def _surveys(ids: list[int]) -> dict[str, Rows]:
    responses = SurveyResponse.filter(customer_id__in=ids)
    numbers = list(await responses.values_list("id", flat=True))
    return {
        "survey_responses": await _rows(responses),
        "survey_answers": await _rows(SurveyAnswer.filter(response_id__in=numbers)),
    }


async def _owned(ids: list[int]) -> dict[str, Rows]:
    mine = {"customer_id__in": ids}
    return {
        "interactions": await _rows(Interaction.filter(**mine)),
        "tags": await _rows(CustomerTag.filter(**mine), "tag__name", "source", "created_at"),
        "notes": await _rows(CustomerNote.filter(**mine)),
        "segments": await _rows(SegmentMember.filter(**mine), "segment__name", "segment_id"),
        "consent": await _rows(ConsentRecord.filter(**mine)),
        "points_ledger": await _rows(PointsEntry.filter(**mine)),
        "orders": await _rows(Order.filter(**mine)),
        "campaign_deliveries": await _rows(CampaignDelivery.filter(**mine)),
        "coupons": await _rows(Coupon.filter(**mine)),
        "lifecycle_changes": await _rows(LifecycleChange.filter(**mine)),
    }


async def _by_id(ids: list[int]) -> dict[str, Rows]:
    merges = CustomerMerge.filter(Q(survivor_id__in=ids) | Q(merged_id__in=ids))
    return {
        "merge_records": await _rows(merges),
        "rfm": [_row(r) for r in await RfmScore.filter(customer_id__in=ids).values()],
        "audit": await _rows(AuditEntry.filter(resource="customer",
                                               resource_id__in=[str(i) for i in ids])),
    }  # fmt: skip


async def export_customer(customer_id: int) -> dict[str, Any]:
    """Every row held about the person `customer_id` stands for (NotFound if none)."""
    ids = await person_records(await survivor_id(customer_id))
    profile = await _rows(Customer.filter(id__in=ids))
    held = {**await _owned(ids), **await _complaints(ids), **await _surveys(ids)}
    return {"customer_id": ids[0], "records": profile, **held, **await _by_id(ids)}
