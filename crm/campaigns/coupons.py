"""Coupon codes, one per (run, customer) with a pending delivery, issued set-based and copied
onto the delivery (the renderer shows it as `{{ coupon }}`).

A code is PREFIX + the delivery id as 10 hex digits + 6 random hex digits: unique by
construction (the id part is unique for a given prefix length, and codes of different prefixes
differ in the prefix or in length), so issuing never retries on a collision; the random tail
keeps a customer from guessing a neighbour's code from their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.sql import execute, is_postgres

_CODE = {
    "postgres": (
        "lpad(upper(to_hex(d.\"id\")), 10, '0') || upper(substr(md5(random()::text), 1, 6))"
    ),
    "sqlite": "printf('%010X', d.\"id\") || upper(hex(randomblob(3)))",
}
_ISSUE = """INSERT INTO "coupon" ("code", "campaign_id", "run_id", "customer_id", "created_at")
SELECT ? || {code}, d."campaign_id", d."run_id", d."customer_id", ?
FROM "campaign_delivery" d
WHERE d."run_id" = ? AND d."status" = 'pending' AND d."coupon_code" IS NULL
ON CONFLICT ("run_id", "customer_id") DO NOTHING"""
_COPY = """UPDATE "campaign_delivery" SET "coupon_code" = (
  SELECT k."code" FROM "coupon" k
  WHERE k."run_id" = "campaign_delivery"."run_id"
    AND k."customer_id" = "campaign_delivery"."customer_id")
WHERE "run_id" = ? AND "status" = 'pending' AND "coupon_code" IS NULL"""


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


async def issue(run_id: int, code_prefix: str, now: datetime) -> int:
    """Codes for the run's pending deliveries that have none; returns how many were issued."""
    flavour = "postgres" if is_postgres() else "sqlite"
    issued = await execute(_ISSUE.format(code=_CODE[flavour]), [code_prefix, now, run_id])
    await execute(_COPY, [run_id])
    return issued
