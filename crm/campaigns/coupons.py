"""Coupon codes, one per (run, customer) with a pending delivery: written onto the delivery by
the outbox's own INSERT … SELECT (the renderer shows it as `{{ coupon }}`), then recorded in
`coupon` from those deliveries in one more statement.

A code is PREFIX + the run id as 6 hex digits + the customer id as 10 + 4 random hex digits:
unique by construction (the fixed-width ids are unique per prefix length; codes of different
prefixes differ in the prefix or in length), so issuing never retries on a collision; the random
tail keeps a customer from guessing a neighbour's code from their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.sql import execute, is_postgres

_CODE = {
    "postgres": (
        "? || lpad(upper(to_hex(c.\"id\")), 10, '0') || upper(substr(md5(random()::text), 1, 4))"
    ),
    "sqlite": "? || printf('%010X', c.\"id\") || upper(hex(randomblob(2)))",
}
_RECORD = """INSERT INTO "coupon" ("code", "campaign_id", "run_id", "customer_id", "created_at")
SELECT d."coupon_code", d."campaign_id", d."run_id", d."customer_id", ?
FROM "campaign_delivery" d WHERE d."run_id" = ? AND d."coupon_code" IS NOT NULL
ON CONFLICT DO NOTHING"""


def wanted(options: dict[str, Any] | None) -> bool:
    """`coupon: true` or `coupon: {prefix: "BD"}` in the campaign's options."""
    return bool((options or {}).get("coupon"))


def prefix(options: dict[str, Any] | None, default: str) -> str:
    coupon = (options or {}).get("coupon")
    chosen = coupon.get("prefix") if isinstance(coupon, dict) else None
    text = str(chosen or default).upper()
    if not (text.isascii() and text.isalpha() and 1 <= len(text) <= 8):
        return default
    return text


def code_head(code_prefix: str, run_id: int) -> str:
    """The part of the run's codes that every customer shares: the `?` of `code_sql`."""
    return f"{code_prefix}{run_id:06X}"


def code_sql() -> str:
    """A new code for customer `c`, with one `?` for the head (`code_head`)."""
    return _CODE["postgres" if is_postgres() else "sqlite"]


async def record(run_id: int, now: datetime) -> int:
    """Record the codes written on the run's deliveries (again: nothing new)."""
    return await execute(_RECORD, [now, run_id])
