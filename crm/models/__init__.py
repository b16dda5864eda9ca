"""Tortoise models of the customer domain (the only place models live)."""

from crm.models.audit import ApiToken, AuditEntry, CustomerNote
from crm.models.campaigns import (
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    CampaignStatus,
    Coupon,
    DeliveryStatus,
    MessageTemplate,
    RunStatus,
    SendChannel,
)
from crm.models.complaints import (
    ACTIVE_STATUSES,
    Complaint,
    ComplaintCounter,
    ComplaintHistory,
    ComplaintMessage,
    ComplaintNotification,
    ComplaintSeverity,
    ComplaintStatus,
    NotificationStatus,
)
from crm.models.consent import ConsentRecord
from crm.models.customers import BirthdayCalendar, Channel, Customer, Gender, LifecycleStage
from crm.models.interactions import (
    Delivery,
    Direction,
    Interaction,
    InteractionKind,
    inbound_kind,
    outbound_kind,
)
from crm.models.lifecycle import LifecycleChange
from crm.models.merges import CustomerMerge
from crm.models.notices import SentNotice
from crm.models.orders import Order
from crm.models.points import PointsEntry, PointsKind
from crm.models.rfm import RfmScore
from crm.models.segments import Segment, SegmentKind, SegmentMember
from crm.models.staff import Role, Staff
from crm.models.surveys import (
    QuestionType,
    ResponseStatus,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from crm.models.tags import CustomerTag, KeywordRule, Tag, TagSource

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "AuditEntry",
    "BirthdayCalendar",
    "Campaign",
    "CampaignDelivery",
    "CampaignKind",
    "CampaignRun",
    "CampaignStatus",
    "Channel",
    "Complaint",
    "ComplaintCounter",
    "ComplaintHistory",
    "ComplaintMessage",
    "ComplaintNotification",
    "ComplaintSeverity",
    "ComplaintStatus",
    "ConsentRecord",
    "Coupon",
    "Customer",
    "CustomerMerge",
    "CustomerNote",
    "CustomerTag",
    "Delivery",
    "DeliveryStatus",
    "Direction",
    "Gender",
    "Interaction",
    "InteractionKind",
    "KeywordRule",
    "LifecycleChange",
    "LifecycleStage",
    "MessageTemplate",
    "NotificationStatus",
    "Order",
    "PointsEntry",
    "PointsKind",
    "QuestionType",
    "ResponseStatus",
    "RfmScore",
    "Role",
    "RunStatus",
    "Segment",
    "SegmentKind",
    "SegmentMember",
    "SendChannel",
    "SentNotice",
    "Staff",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "Tag",
    "TagSource",
    "inbound_kind",
    "outbound_kind",
]
