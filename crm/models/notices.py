"""Notices sent once: a row per key, inserted before the notice goes out (idempotent across
processes and leader changes), e.g. `calendar-missing:2027` or an SLA escalation."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SentNotice(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sent_notice"
