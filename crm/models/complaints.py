"""Complaint tickets: the ticket, the texts added to it, its history, the per-day number
counter and the staff notifications (an outbox, retried until sent)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


# Still waiting for staff: what segments count as an open complaint.
ACTIVE_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.REOPENED)


class ComplaintSeverity(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Complaint(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="complaints", on_delete=fields.CASCADE
    )
    number = fields.CharField(max_length=16, unique=True, null=True, description="C20261201-0007")
    status = fields.CharEnumField(ComplaintStatus, max_length=16, default=ComplaintStatus.OPEN)
    category = fields.CharField(max_length=16, default="其他")
    severity = fields.CharEnumField(
        ComplaintSeverity, max_length=8, default=ComplaintSeverity.NORMAL
    )
    assignee = fields.CharField(max_length=64, null=True, description="WeCom userid")
    summary = fields.TextField(null=True)
    resolution = fields.TextField(null=True)
    satisfaction = fields.SmallIntField(null=True, description="1 to 5 after resolution")
    created_at = fields.DatetimeField(auto_now_add=True)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    first_response_due = fields.DatetimeField(null=True)
    resolution_due = fields.DatetimeField(null=True)
    satisfaction_asked_at = fields.DatetimeField(null=True)
    reopen_count = fields.IntField(default=0)

    class Meta:
        table = "complaint"
        indexes = (("customer_id", "status"), ("status", "created_at"))


class ComplaintMessage(Model):
    id = fields.BigIntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "siyu.Complaint", related_name="messages", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    text = fields.TextField()
    dedupe_key = fields.CharField(max_length=160, null=True, description="the WeChat message")

    class Meta:
        table = "complaint_message"
        unique_together = (("complaint_id", "dedupe_key"),)


class ComplaintHistory(Model):
    id = fields.BigIntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "siyu.Complaint", related_name="history", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=96, description="an Actor label")
    action = fields.CharField(max_length=24)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    note = fields.TextField(null=True)

    class Meta:
        table = "complaint_history"
        indexes = (("complaint_id", "at"),)


class ComplaintCounter(Model):
    day = fields.CharField(max_length=8, primary_key=True, description="local date YYYYMMDD")
    seq = fields.IntField(default=0)

    class Meta:
        table = "complaint_counter"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ComplaintNotification(Model):
    id = fields.BigIntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "siyu.Complaint", related_name="notifications", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=48, description="opened, reopened:1, sla:first_response")
    target = fields.CharField(max_length=16, description="touser, totag or robot")
    recipient = fields.CharField(max_length=512, description="userids a|b, tag ids or robot key")
    text = fields.TextField()
    status = fields.CharEnumField(
        NotificationStatus, max_length=8, default=NotificationStatus.PENDING
    )
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint_notification"
        unique_together = (("complaint_id", "key", "target"),)
        indexes = (("status", "next_attempt_at"),)
