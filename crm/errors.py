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
    """A campaign cannot do what was asked (its definition or one of its deliveries)."""


class RenderFailed(CampaignError):
    """A campaign message did not render for one customer; `reason` is short and safe."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
