"""Notices to the admins that go out once, however many leaders come and go: the SentNotice
row is inserted first and only the process whose insert succeeded sends. A send that fails
after the insert is logged, not retried (at most once: an admin notice is never spammed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from tortoise.exceptions import IntegrityError

from bot.wechat.client import WeComClient
from crm.models import SentNotice

log = logging.getLogger("siyu.scheduler")

Notify = Callable[[str], Awaitable[None]]
SEND_SECONDS = 10.0


async def claim_notice(key: str) -> bool:
    """True for the one caller that records `key` first."""
    try:
        await SentNotice.create(key=key)
    except IntegrityError:
        return False
    return True


async def notify_once(key: str, text: str, notify: Notify | None) -> bool:
    """Sends `text` unless a notice with `key` went out before; True when this call sent it."""
    if notify is None or not await claim_notice(key):
        return False
    try:
        async with asyncio.timeout(SEND_SECONDS):
            await notify(text)
    except asyncio.CancelledError:  # the leader is stopping mid-send: the row stays (once)
        log.warning("notice %s: sending cancelled, this process is stopping", key)
        return False
    except Exception as exc:  # the row stays: at most once, and the log keeps the loud part
        log.error("notice %s not sent to the admins (%s: %s)", key, type(exc).__name__, exc)
        return False
    return True


def admin_notifier(wecom: WeComClient, admins: Sequence[str]) -> Notify | None:
    """A WeCom app message to `admins`; None when no admin is configured."""
    if not admins:
        return None
    to = "|".join(admins)

    async def notify(text: str) -> None:
        await wecom.send_text(to, text)

    return notify
