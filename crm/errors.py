"""The domain's named errors. bot/ and handlers/ turn them into friendly replies in one place;
their text is for logs and staff, never shown to customers."""

from __future__ import annotations

from tortoise.exceptions import DBConnectionError


class SiyuError(Exception):
    """Base of every expected, named failure in siyu."""


class NotFound(SiyuError):
    """The thing asked for does not exist."""


class InvalidInput(SiyuError):
    """Input was rejected; nothing was changed."""


class Conflict(SiyuError):
    """The change collides with the current state (e.g. a duplicate, a concurrent update)."""


class InsufficientPoints(Conflict):
    """A redeem asked for more points than the customer has."""


class PermissionDenied(SiyuError):
    """The staff member's role does not allow this."""


class AlreadyUnmerged(Conflict):
    """The merge was undone before; a merge can be undone once."""


class UnknownCurrency(InvalidInput):
    """An amount in a currency without a configured exchange rate to the base currency."""


class ServiceUnavailable(Exception):
    """A backing service (the store, the database) did not answer. Not a SiyuError: nothing
    is answered to the person; the update fails with 503 and WeChat's retry runs it again."""


def is_unavailable(exc: BaseException) -> bool:
    """The store or the database is unreachable (OSError covers refused, reset, timed out)."""
    return isinstance(exc, ServiceUnavailable | DBConnectionError | OSError)


class CampaignError(SiyuError):
    """A campaign could not be created, changed, run or rendered as asked."""


class CampaignNotFound(CampaignError, NotFound):
    """No campaign (or run) with that id or name."""


class InvalidCampaign(CampaignError, InvalidInput):
    """A campaign file or change was rejected; the message names each field; nothing written."""


class CampaignStateError(CampaignError, Conflict):
    """The change is not allowed in the campaign's current status (e.g. resume a draft)."""


class RenderFailed(CampaignError):
    """A template did not render for one customer: that delivery fails with `reason` (short,
    no exception text, e.g. `template_undefined:customer.nickname`); the run goes on."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or reason)
        self.reason = reason[:64]


class ComplaintError(SiyuError):
    """A complaint ticket could not be changed as asked."""


class ComplaintNotFound(ComplaintError, NotFound):
    """No ticket with that number."""


class ComplaintStateError(ComplaintError, Conflict):
    """The change is not allowed in the ticket's current status (e.g. close a closed one)."""

    def __init__(self, number: str | None, status: str) -> None:
        super().__init__(f"{number} is {status}")
        self.number, self.status = number, status


class InvalidComplaintInput(ComplaintError, InvalidInput):
    """A missing or malformed argument (an unknown category, a rating outside 1–5)."""


class RoleRequired(PermissionDenied):
    """A staff command (or request) needs a role the member does not have."""

    def __init__(self, action: str, needed: str, current: str | None) -> None:
        super().__init__(f"needs {action}: role {needed} or higher (has {current or 'none'})")
        self.action, self.needed, self.current = action, needed, current


class SurveyError(SiyuError):
    """A survey could not be created, sent or answered as asked."""


class SurveyNotFound(SurveyError, NotFound):
    """No survey (or response) with that id."""


class InvalidSurvey(SurveyError, InvalidInput):
    """A survey definition was rejected; the message names each bad field. Nothing written."""


class SurveyNotSent(SurveyError):
    """The invitation did not reach the customer (no openid, opted out, already answering)."""


class InvalidToken(SiyuError):
    """No API token, or one that is unknown, revoked or expired (the message says which)."""


class RateLimited(SiyuError):
    """Too many requests for this token: retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"请求过于频繁，请 {retry_after} 秒后再试")
        self.retry_after = retry_after


class CampaignNameTaken(CampaignError, Conflict):
    """Another campaign has that name (names are unique: staff find campaigns by them)."""


class SurveyInUse(SurveyError, Conflict):
    """A survey that has responses or was sent through a campaign cannot be deleted."""
