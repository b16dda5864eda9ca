"""The domain's named errors. bot/ and handlers/ turn them into friendly replies in one place;
their text is for logs and staff, never shown to customers."""

from __future__ import annotations


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
