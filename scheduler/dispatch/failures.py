"""What a failed send becomes: retried later with backoff, or final with WeChat's code.

-1, 45009, 45011 (and a token error that survived the client's one refresh) are retried with
doubling backoff up to `max_attempts`, then failed. 45015 / 45047 / 43004 / 40003 / 48001 and
unknown codes are final. A network error that may have reached WeChat (a timeout) is final
too: resending could deliver the message twice, and a customer is better served by one
missing campaign message than by a duplicate (at most once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.wechat.errors import WeChatAPIError, WeChatError, WeChatUnavailable
from scheduler.dispatch.config import DispatchSettings


@dataclass(frozen=True, slots=True)
class Failure:
    errcode: int | None
    reason: str
    retry_at: datetime | None  # None: final


def _backoff(error: WeChatError, attempts: int, settings: DispatchSettings) -> float:
    first = settings.backoff_seconds
    if isinstance(error, WeChatAPIError) and error.retry_after:
        first = max(first, error.retry_after)
    return min(settings.max_backoff_seconds, first * 2**attempts)


def classify(
    error: WeChatError, attempts: int, settings: DispatchSettings, now: datetime
) -> Failure:
    """`attempts`: retries already made for this delivery."""
    errcode = error.errcode if isinstance(error, WeChatAPIError) else None
    if isinstance(error, WeChatUnavailable):
        reason = (
            f"uncertain: {error.reason}" if error.maybe_sent else f"unavailable: {error.reason}"
        )
        if error.maybe_sent:
            return Failure(None, reason, None)
    else:
        reason = f"errcode {errcode}"
    if not error.retryable or attempts + 1 >= settings.max_attempts:
        return Failure(errcode, reason, None)
    delay = _backoff(error, attempts, settings)
    return Failure(errcode, reason, now + timedelta(seconds=delay))
