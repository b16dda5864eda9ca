"""One module per resource; importing this package registers all their endpoints."""

from bot.api.resources import (
    audit,
    campaigns,
    complaints,
    customers,
    privacy,
    reports,
    segments,
    staff,
    surveys,
    tags,
    templates,
    tokens,
)

__all__ = [
    "audit",
    "campaigns",
    "complaints",
    "customers",
    "privacy",
    "reports",
    "segments",
    "staff",
    "surveys",
    "tags",
    "templates",
    "tokens",
]
