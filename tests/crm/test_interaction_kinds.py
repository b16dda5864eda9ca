"""Interaction kinds: one builder for the stored `kind`, and the names siyu's code uses."""

from __future__ import annotations

from crm.models import Delivery, InteractionKind, inbound_kind, outbound_kind


def test_interaction_kinds_are_built_one_way() -> None:
    assert inbound_kind("text") == InteractionKind.TEXT
    assert inbound_kind("event", "subscribe") == InteractionKind.EVENT_SUBSCRIBE
    assert inbound_kind("event") == "event"  # an event without its name, kept as it came
    assert inbound_kind("location") == "location"  # WeChat's types stay open
    assert outbound_kind(Delivery.REPLY, "text") == InteractionKind.REPLY_TEXT
    assert outbound_kind(Delivery.PUSH, "text") == InteractionKind.PUSH_TEXT
    assert outbound_kind(Delivery.WELCOME, "text") == InteractionKind.WELCOME_TEXT
