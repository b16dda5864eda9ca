"""Errors from the WeChat APIs (Official Account and WeCom), classified for the dispatcher.

Retry policy (what `retryable` promises the caller):
- -1 "system busy" and network trouble (`WeChatUnavailable`): retry soon with backoff.
- 45011 per-minute limit, 45033 WeCom concurrency limit: retry after about a minute.
- 45009 daily quota: retry later (the quota resets at 00:00 Beijing time), never in a tight loop.
- token errors (40001 / 40014 / 42001) are handled inside the client (one refresh and one retry);
  when one still surfaces, treat it like a retryable failure of that send.
Everything else is `final`: 45015 / 45047 (outside the customer's window or its quota spent),
43004 not following, 40003 invalid openid, 48001 API not authorised, bad requests, unknown codes.
Retrying an unknown code blindly could spam a customer, so unknown means final.
"""

from __future__ import annotations

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
# On the token endpoints themselves 40001 means a wrong secret (WeCom): final, not a refresh.
TOKEN_PATHS = frozenset({"/cgi-bin/stable_token", "/cgi-bin/token", "/cgi-bin/gettoken"})
WINDOW_CLOSED = frozenset({45015, 45047})
_RETRY_AFTER: dict[int, float] = {-1: 1.0, 45011: 60.0, 45033: 60.0, 45009: 3600.0}


class WeChatError(Exception):
    """Base class: something went wrong talking to WeChat."""

    @property
    def retryable(self) -> bool:
        return False


class WeChatAPIError(WeChatError):
    """WeChat answered with errcode != 0. The message holds the path, never the query string."""

    def __init__(self, errcode: int, errmsg: str, path: str) -> None:
        super().__init__(f"{path}: errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path

    @property
    def token_expired(self) -> bool:
        return self.errcode in TOKEN_EXPIRED and self.path not in TOKEN_PATHS

    @property
    def retryable(self) -> bool:
        return self.errcode in _RETRY_AFTER or self.token_expired

    @property
    def retry_after(self) -> float | None:
        """A first delay in seconds for retryable codes (callers back off from there)."""
        return _RETRY_AFTER.get(self.errcode, 1.0 if self.token_expired else None)

    @property
    def final(self) -> bool:
        return not self.retryable

    @property
    def window_closed(self) -> bool:
        """45015 / 45047: the customer-service window is closed or spent; try a template."""
        return self.errcode in WINDOW_CLOSED


class WeChatUnavailable(WeChatError):
    """Network error, timeout, HTTP status != 200 or a body that is not JSON.

    `maybe_sent` is True when the request may have reached WeChat (a timeout or a garbled
    answer): a retry may then deliver the message twice, so the caller decides.
    """

    def __init__(self, path: str, reason: str, *, maybe_sent: bool = True) -> None:
        super().__init__(f"{path}: WeChat unavailable: {reason}")
        self.path = path
        self.reason = reason
        self.maybe_sent = maybe_sent

    @property
    def retryable(self) -> bool:
        return True
