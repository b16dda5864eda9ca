"""Interaction: every inbound message or event and every outbound message, recorded once."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from crm.models.customers import Customer


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Delivery(StrEnum):
    """How an outbound message left: the passive reply to a callback, a push through the
    customer-service or WeCom app API, a WeCom welcome message to a new contact."""

    REPLY = "reply"
    PUSH = "push"
    WELCOME = "welcome"


class InteractionKind(StrEnum):
    """The stored `kind` of an interaction: an inbound message by its MsgType, an inbound
    event as `event:<Event>`, an outbound message as `<delivery>:<msgtype>`. WeChat adds
    types, so the column stays open: `inbound_kind` / `outbound_kind` build any value, and
    the members name the ones siyu's code writes or looks for."""

    TEXT = "text"
    VOICE = "voice"
    IMAGE = "image"
    EVENT_SUBSCRIBE = "event:subscribe"
    EVENT_UNSUBSCRIBE = "event:unsubscribe"
    REPLY_TEXT = "reply:text"
    PUSH_TEXT = "push:text"
    WELCOME_TEXT = "welcome:text"


def inbound_kind(msg_type: str, event: str | None = None) -> str:
    """`text`, `image` … for messages; `event:subscribe` … for events."""
    return f"event:{event}" if msg_type == "event" and event else msg_type


def outbound_kind(delivery: Delivery, msg_type: str) -> str:
    """`reply:text`, `push:text`, `welcome:text` …"""
    return f"{delivery.value}:{msg_type}"


class Interaction(Model):
    id = fields.BigIntField(primary_key=True)
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "siyu.Customer", related_name="interactions", null=True, on_delete=fields.SET_NULL
    )
    channel = fields.CharField(max_length=8)
    direction = fields.CharEnumField(Direction, max_length=3)
    kind = fields.CharField(max_length=48, description="text, image, event:subscribe, reply:text…")
    content = fields.TextField(null=True)
    payload = fields.TextField(null=True, description="the decrypted XML as WeChat sent it")
    msg_id = fields.CharField(max_length=32, null=True)
    dedupe_key = fields.CharField(max_length=160, null=True)
    sentiment_score = fields.FloatField(null=True)
    sentiment_label = fields.CharField(max_length=8, null=True)
    intent = fields.CharField(max_length=16, null=True)
    keywords: fields.Field[list] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "interaction"
        unique_together = (("channel", "dedupe_key"),)
        indexes = (("customer_id", "created_at"),)
