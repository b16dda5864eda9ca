"""One module per resource; importing this package registers all their endpoints."""

from bot.api.resources import (
    audit,
    campaigns,
    complaints,
    customer_history,
    customers,
    me,
    privacy,
    reports,
    schedule,
    segment_drafts,
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
    "customer_history",
    "customers",
    "me",
    "privacy",
    "reports",
    "schedule",
    "segment_drafts",
    "segments",
    "staff",
    "surveys",
    "tags",
    "templates",
    "tokens",
]
