"""Campaigns: definitions, rendering, the delivery outbox, claims and stats (no WeChat here)."""
