"""One module per resource; importing this package registers all their endpoints."""

from bot.api.resources import audit, segments, staff, tokens

__all__ = ["audit", "segments", "staff", "tokens"]
