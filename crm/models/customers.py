"""Customer: one person, however they reached the brand (OA openid, WeCom external contact)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Gender(StrEnum):
    UNKNOWN = "unknown"
    MALE = "male"
    FEMALE = "female"


class Channel(StrEnum):
    OA = "oa"
    WECOM = "wecom"
    IMPORT = "import"
    ADMIN = "admin"


class BirthdayCalendar(StrEnum):
    SOLAR = "solar"
    LUNAR = "lunar"


class LifecycleStage(StrEnum):
    PROSPECT = "prospect"
    NEW = "new"
    ACTIVE = "active"
    LOYAL = "loyal"
    AT_RISK = "at_risk"
    CHURNED = "churned"


class Customer(Model):
    # Fields added after 0001 carry db_default too, so the migration fills existing rows.
    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, null=True, unique=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    external_userid = fields.CharField(max_length=64, null=True, unique=True)
    follow_user = fields.CharField(max_length=64, null=True, description="WeCom staff userid")
    display_name = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=32, null=True, db_index=True)
    birthday = fields.DateField(null=True, description="solar date of birth when the year is known")
    birthday_calendar = fields.CharEnumField(
        BirthdayCalendar, max_length=8, default=BirthdayCalendar.SOLAR, db_default="solar"
    )
    birthday_md = fields.SmallIntField(
        null=True, description="month*100+day of the birthday in birthday_calendar"
    )
    birthday_leap = fields.BooleanField(
        default=False, db_default=False, description="born in a lunar leap month"
    )
    gender = fields.CharEnumField(Gender, max_length=8, default=Gender.UNKNOWN)
    city = fields.CharField(max_length=64, null=True)
    source_channel = fields.CharEnumField(Channel, max_length=8, default=Channel.OA)
    source_detail = fields.CharField(max_length=64, null=True, description="QR scene, 联系我 state")
    subscribed = fields.BooleanField(default=False)
    subscribed_at = fields.DatetimeField(null=True)
    unsubscribed_at = fields.DatetimeField(null=True)
    opted_out = fields.BooleanField(default=False)
    opted_out_at = fields.DatetimeField(null=True)
    last_active_at = fields.DatetimeField(null=True, db_index=True)
    attributes: fields.Field[dict] = fields.JSONField(default=dict)
    points_balance = fields.IntField(
        default=0, db_default=0, description="cache of the points ledger sum"
    )
    total_spent = fields.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)
    order_count = fields.IntField(default=0, db_default=0)
    first_order_at = fields.DatetimeField(null=True)
    last_order_at = fields.DatetimeField(null=True)
    lifecycle_stage = fields.CharEnumField(
        LifecycleStage, max_length=8, default=LifecycleStage.PROSPECT, db_default="prospect"
    )
    lifecycle_changed_at = fields.DatetimeField(null=True)
    merged_into: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="merged_from", null=True, on_delete=fields.SET_NULL
    )
    # PIPL (issue 17): consent to marketing on record, and erasure (crm/pipl/).
    marketing_consent = fields.BooleanField(
        default=False, db_default=False, description="consent to marketing on record"
    )
    consent_at = fields.DatetimeField(null=True)
    consent_source = fields.CharField(max_length=32, null=True, description="follow, 订阅, import")
    erased_at = fields.DatetimeField(null=True, description="personal data erased (anonymized)")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "customer"
        # merged_into_id rides along so the usual segment filters (always "not merged away")
        # are answered from the index alone (index-only scans on PostgreSQL). Migration 0003
        # added a covering copy of the points index and (city, id) for segment rules.
        indexes = (
            ("birthday_calendar", "birthday_md"),
            ("lifecycle_stage", "total_spent", "merged_into_id"),
            ("points_balance", "last_active_at", "merged_into_id"),
            (
                "points_balance",
                "last_active_at",
                "merged_into_id",
                "opted_out",
                "lifecycle_stage",
                "id",
            ),
            ("id", "opted_out", "merged_into_id"),
            ("city", "id", "merged_into_id"),
        )

    def __str__(self) -> str:
        return f"Customer({self.id}, {self.openid or self.external_userid})"
