"""Campaigns: definitions, rendering, the outbox of deliveries, claims and stats (no WeChat here)."""
