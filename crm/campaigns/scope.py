"""What a campaign template sees for each customer, read for a whole batch at once.

`customer`: plain fields (no phone, no openid: nothing a greeting needs to show);
`points`: the balance valid now and what of it expires within the campaign's
`expiring_within_days` (default 30), with the local date of the first such expiry, by the
same rule as crm.points (credits past their date count for nothing); `coupon`: the code
issued to the customer by this run, or None; `campaign`: its name and kind.
Two queries per batch, whatever its size (chunked under SQLite's parameter limit)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.clock import Clock
from crm.models import Customer
from crm.models.campaigns import Campaign
from crm.sql import as_datetime, fetch, marks

DEFAULT_EXPIRING_DAYS = 30
_CHUNK = 900  # below SQLite's default limit of 999 parameters per statement
_FIELDS = (
    "id", "display_name", "city", "gender", "birthday", "birthday_calendar", "birthday_md",
    "points_balance", "lifecycle_stage", "order_count", "total_spent", "last_order_at",
)  # fmt: skip


@dataclass(frozen=True)
class RenderScope:
    customer: Mapping[str, Any]
    points: Mapping[str, Any]
    coupon: str | None
    campaign: Mapping[str, Any]

    def variables(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "points": self.points,
            "coupon": self.coupon,
            "campaign": self.campaign,
        }


async def scopes(
    customer_ids: Sequence[int],
    campaign: Campaign,
    coupons: Mapping[int, str],
    *,
    clock: Clock,
) -> dict[int, RenderScope]:
    """One RenderScope per customer id that exists."""
    now = clock.now()
    days = int((campaign.options or {}).get("expiring_within_days") or DEFAULT_EXPIRING_DAYS)
    about = {"id": campaign.id, "name": campaign.name, "kind": campaign.kind.value}
    result: dict[int, RenderScope] = {}
    for start in range(0, len(customer_ids), _CHUNK):
        chunk = list(customer_ids[start : start + _CHUNK])
        customers = await _customers(chunk)
        credits = await _credits(chunk, now)
        zone = ZoneInfo(campaign.timezone)
        for cid, fields in customers.items():
            points = _points(credits.get(cid, []), now + timedelta(days=days), zone)
            result[cid] = RenderScope(fields, points, coupons.get(cid), about)
    return result


async def _customers(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await Customer.filter(id__in=ids).values(*_FIELDS)
    return {row["id"]: _plain(row) for row in rows}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Enums as their values, the birthday as the day celebrated (solar date or 农历 M月D日)."""
    plain = {k: getattr(v, "value", v) for k, v in row.items()}
    plain["total_spent"] = float(row["total_spent"] or 0)
    plain["birthday"] = _birthday(row)
    plain["display_name"] = row["display_name"] or ""
    return plain


def _birthday(row: dict[str, Any]) -> str | None:
    md = row["birthday_md"]
    if md is None:
        return row["birthday"].isoformat() if isinstance(row["birthday"], date) else None
    prefix = "农历" if getattr(row["birthday_calendar"], "value", None) == "lunar" else ""
    return f"{prefix}{md // 100}月{md % 100}日"


_CREDITS = """
SELECT customer_id, expires_at, SUM(remaining) AS amount FROM points_entry
WHERE remaining > 0 AND expires_at > ? AND customer_id IN ({ids})
GROUP BY customer_id, expires_at
"""


async def _credits(ids: list[int], now: datetime) -> dict[int, list[tuple[datetime, int]]]:
    rows = await fetch(_CREDITS.format(ids=marks(len(ids))), [now, *ids])
    credits: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for row in rows:
        batch = (as_datetime(row["expires_at"]), int(row["amount"]))
        credits[int(row["customer_id"])].append(batch)
    return credits


def _points(credits: list[tuple[datetime, int]], until: datetime, zone: ZoneInfo) -> dict[str, Any]:
    soon = [(at, amount) for at, amount in credits if at <= until]
    first = min((at for at, _ in soon), default=None)
    day = first.astimezone(zone).date() if first else None
    return {
        "balance": sum(amount for _, amount in credits),
        "expiring": sum(amount for _, amount in soon),
        "expiring_date": day.isoformat() if day else None,
        "expiring_on": f"{day.year}年{day.month}月{day.day}日" if day else None,
    }
