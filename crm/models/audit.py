"""The audit log (append-only: no API edits or deletes it), customer notes, and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm.models.staff import Role

if TYPE_CHECKING:
    from crm.models.customers import Customer


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor = fields.CharField(max_length=96, db_index=True)  # Actor.label: staff:zhangsan
    action = fields.CharField(max_length=64)  # customers.tag, campaigns.pause, pii.read
    resource = fields.CharField(max_length=32)  # customer, campaign, complaint, ...
    resource_id = fields.CharField(max_length=64, null=True)
    before: fields.Field[dict] = fields.JSONField(null=True)  # the changed fields only
    after: fields.Field[dict] = fields.JSONField(null=True)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entry"
        indexes = (("resource", "resource_id"), ("action", "at"))


class CustomerNote(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="notes", on_delete=fields.CASCADE
    )
    author = fields.CharField(max_length=96)  # Actor.label
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer_note"
        indexes = (("customer_id", "created_at"),)


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    role = fields.CharEnumField(Role, max_length=8)
    secret_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the secret
    prefix = fields.CharField(max_length=12)  # the secret's first characters, to recognise it
    created_by = fields.CharField(max_length=96)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
