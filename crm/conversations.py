"""A customer's conversation as staff read it: the last messages, both directions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crm.models import Direction, Interaction


@dataclass(frozen=True, slots=True)
class ChatLine:
    direction: Direction
    text: str
    at: datetime


async def recent_messages(customer_id: int, limit: int = 5) -> list[ChatLine]:
    """The customer's last `limit` messages with text, inbound and outbound, newest last."""
    rows = (
        await Interaction.filter(customer_id=customer_id, content__isnull=False)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values_list("direction", "content", "created_at")
    )
    return [ChatLine(Direction(d), str(text), at) for d, text, at in reversed(rows)]
