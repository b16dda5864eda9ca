"""Which channel can reach a claimed delivery now (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from crm.campaigns.claims import ClaimedDelivery
from crm.campaigns.windows import CustomerWindows
from crm.models import SendChannel


class SkipReason(StrEnum):
    OPTED_OUT = "opted_out"
    MERGED = "merged"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Choice:
    channel: SendChannel | None
    skip: SkipReason | None = None


def choose(
    delivery: ClaimedDelivery,
    windows: CustomerWindows | None,
    *,
    has_template: bool,
    now: datetime,
) -> Choice:
    """Customer service while the window lasts (spending one of its messages), else a
    template message to a follower, else a WeCom task for the staff member's contact."""
    if delivery.opted_out:
        return Choice(None, SkipReason.OPTED_OUT)
    if delivery.merged:
        return Choice(None, SkipReason.MERGED)
    follows = bool(delivery.openid) and delivery.subscribed
    if follows and windows is not None and windows.spend(now):
        return Choice(SendChannel.CUSTOMER_SERVICE)
    if follows and has_template:
        return Choice(SendChannel.TEMPLATE)
    if delivery.external_userid and delivery.follow_user:
        return Choice(SendChannel.WECOM_TASK)
    return Choice(None, SkipReason.UNREACHABLE)
