"""Campaigns: what is sent to whom and when; their runs, the outbox of deliveries, coupons.

A campaign's run is one row per (campaign, run key): the key is the local run date
(`2026-12-01`), with a suffix for a second step (`2026-12-01#2`, win-back) or a manual
run (`manual:…`). A delivery is one row per (run, customer), so a run enqueued twice, by
two leaders or after a crash, still holds each customer once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer
    from crm.models.segments import Segment
    from crm.models.surveys import Survey


class CampaignKind(StrEnum):
    BIRTHDAY = "birthday"
    HOLIDAY = "holiday"
    POINTS = "points"
    WINBACK = "winback"
    CUSTOM = "custom"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


class RunStatus(StrEnum):
    ENQUEUING = "enqueuing"
    SENDING = "sending"
    DONE = "done"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its due_at, or claimed by a worker (claimed_by set)
    SENT = "sent"  # WeChat accepted it (or, for a WeCom task, the staff member sent it)
    WAITING = "waiting"  # a WeCom mass-message task, created, not yet confirmed by staff
    FAILED = "failed"
    SKIPPED = "skipped"


class SendChannel(StrEnum):
    CUSTOMER_SERVICE = "customer_service"  # /cgi-bin/message/custom/send
    TEMPLATE = "template"  # /cgi-bin/message/template/send
    WECOM_TASK = "wecom_task"  # externalcontact/add_msg_template


# No class docstrings on models: Tortoise turns them into table comments, which SQLite's
# migration runner cannot execute ("incomplete input").


class MessageTemplate(Model):
    # a staff-written Jinja2 template, stored in the database (files live in templates/)

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "message_template"


class Campaign(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(CampaignKind, max_length=8)
    status = fields.CharEnumField(CampaignStatus, max_length=9, default=CampaignStatus.DRAFT)
    segment: fields.ForeignKeyNullableRelation[Segment] = fields.ForeignKeyField(
        "siyu.Segment", related_name="campaigns", null=True, on_delete=fields.RESTRICT
    )
    rule: fields.Field[dict] = fields.JSONField(null=True, description="inline segment rule")
    text = fields.TextField(null=True, description="inline Jinja2 template")
    template_file = fields.CharField(max_length=128, null=True, description="a file in templates/")
    template: fields.ForeignKeyNullableRelation[MessageTemplate] = fields.ForeignKeyField(
        "siyu.MessageTemplate", related_name="campaigns", null=True, on_delete=fields.RESTRICT
    )
    template_message: fields.Field[dict] = fields.JSONField(
        null=True, description="{template_id, url?, data: {key: Jinja2 template}}"
    )
    schedule: fields.Field[dict] = fields.JSONField(description="{at} | {cron} | {birthday} | …")
    timezone = fields.CharField(max_length=64, default="Asia/Shanghai")
    quiet_start = fields.CharField(max_length=5, null=True, description="HH:MM, null for none")
    quiet_end = fields.CharField(max_length=5, null=True)
    frequency_exempt = fields.BooleanField(default=False)
    options: fields.Field[dict] = fields.JSONField(
        default=dict, description="kind-specific: second_text, second_after_days, …"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)
    survey: fields.ForeignKeyNullableRelation[Survey] = fields.ForeignKeyField(
        "siyu.Survey", null=True, related_name="campaigns", on_delete=fields.SET_NULL
    )  # a survey sent through the outbox: its invitation is the text (crm/surveys/outbox.py)
    survey_id: int | None

    class Meta:
        table = "campaign"


class CampaignRun(Model):
    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "siyu.Campaign", related_name="runs", on_delete=fields.CASCADE
    )
    run_key = fields.CharField(max_length=48, description="local date, date#2, manual:…")
    run_date = fields.DateField(description="the local date the run is for")
    step = fields.SmallIntField(default=1, description="2: win-back's second message")
    status = fields.CharEnumField(RunStatus, max_length=9, default=RunStatus.ENQUEUING)
    dry_run = fields.BooleanField(default=False)
    targeted = fields.IntField(default=0)
    started_at = fields.DatetimeField()
    enqueued_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "campaign_run"
        unique_together = (("campaign", "run_key"),)


class CampaignDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    run: fields.ForeignKeyRelation[CampaignRun] = fields.ForeignKeyField(
        "siyu.CampaignRun", related_name="deliveries", on_delete=fields.CASCADE
    )
    campaign_id = fields.IntField(description="copied from the run: stats and frequency cap")
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="campaign_deliveries", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(DeliveryStatus, max_length=8, default=DeliveryStatus.PENDING)
    reason = fields.CharField(max_length=64, null=True, description="why skipped or failed")
    errcode = fields.IntField(null=True, description="WeChat's errcode of a failure")
    channel = fields.CharEnumField(SendChannel, max_length=16, null=True)
    marketing = fields.BooleanField(default=True, description="counts against the cap")
    needs_consent = fields.BooleanField(
        default=False, db_default=False, description="PIPL: sent only with consent on record"
    )
    due_at = fields.DatetimeField(description="not before (quiet hours, retry backoff)")
    attempts = fields.SmallIntField(default=0)
    claimed_by = fields.CharField(max_length=64, null=True)
    claim_expires_at = fields.DatetimeField(null=True)
    content = fields.TextField(null=True, description="the rendered text as sent")
    coupon_code = fields.CharField(max_length=32, null=True)
    wechat_msgid = fields.CharField(max_length=64, null=True, description="msgid / task msgid")
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign_delivery"
        unique_together = (("run", "customer"),)
        indexes = (
            ("status", "due_at"),
            ("customer_id", "status", "sent_at"),
            ("run_id", "status"),
            ("wechat_msgid",),
        )


class Coupon(Model):
    # a code issued to one customer by one campaign run; unique across every campaign

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "siyu.Campaign", related_name="coupons", on_delete=fields.CASCADE
    )
    run: fields.ForeignKeyRelation[CampaignRun] = fields.ForeignKeyField(
        "siyu.CampaignRun", related_name="coupons", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="coupons", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coupon"
        unique_together = (("run", "customer"),)
