"""Staff: WeCom members who work the private domain, with a role."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Staff(Model):
    id = fields.IntField(primary_key=True)
    userid = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=64, null=True)
    role = fields.CharEnumField(Role, max_length=8, default=Role.OPERATOR)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"
