"""`siyu import orders FILE.csv`: idempotent by the shop's order id; each order finds its
customer by customer_id, openid, external_userid, unionid or phone. An order in a currency
without a configured rate is rejected (per row), never summed as if it were the base one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tortoise.expressions import Q

from crm import currency
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.csvio import CsvRow, ErrorReport, RowError
from crm.importing.bulk import insert_ignoring_conflicts
from crm.importing.common import IDENTITIES, ImportReport, Progress, as_value_error, run_import
from crm.importing.stats import add_order_stats
from crm.models import Customer
from crm.phones import normalize_optional_phone


async def import_orders(
    path: Path,
    error_file: Path | None = None,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
    *,
    actor: Actor,
    clock: Clock = SYSTEM_CLOCK,
) -> ImportReport:
    async def write_batch(
        valid: list[tuple[int, OrderRow]], report: ImportReport, errors: ErrorReport
    ) -> None:
        await _insert_orders(valid, report, errors, clock)

    return await run_import(
        path, _order_row, write_batch, error_file, batch_size, on_progress, actor
    )


class OrderRow(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    external_id: str = Field(min_length=1, max_length=64)
    customer_id: int | None = None
    openid: str | None = None
    external_userid: str | None = None
    unionid: str | None = None
    phone: str | None = None
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    items_summary: str | None = Field(None, max_length=255)
    paid_at: datetime
    channel: str | None = Field(None, max_length=32)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return as_value_error(normalize_optional_phone, value)

    @field_validator("currency")
    @classmethod
    def _rated(cls, value: str) -> str:
        """Only currencies with a configured rate: total spent is summed in the base one."""
        if value not in currency.rates():
            raise ValueError(currency.unknown_message([value]))
        return value

    @field_validator("paid_at")
    @classmethod
    def _local(cls, value: datetime) -> datetime:
        """A time without offset is the brand's local time (what a shop export shows)."""
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def _order_row(row: CsvRow) -> OrderRow:
    values: dict[str, Any] = {k: v for k, v in row.values.items() if v != ""}
    values.setdefault("items_summary", values.pop("items", None))
    parsed = OrderRow(**{k: v for k, v in values.items() if k in OrderRow.model_fields})
    if not any(getattr(parsed, k) for k in ("customer_id", *IDENTITIES)):
        raise ValueError(
            "需要 customer_id、openid、external_userid、unionid 或 phone 之一来找到客户"
        )
    return parsed


async def _owners(rows: list[OrderRow]) -> dict[tuple[str, str], int]:
    """Who each row's customer is, in one query: a customer id merged away means its survivor;
    an identity matches live customers only (the oldest first)."""
    wanted = Q()
    ids = list({r.customer_id for r in rows if r.customer_id})
    if ids:
        wanted |= Q(id__in=ids)
    for key in IDENTITIES:
        values = list({getattr(r, key) for r in rows if getattr(r, key)})
        if values:
            by_key: dict[str, Any] = {f"{key}__in": values}  # live ones picked below
            wanted |= Q(**by_key)
    if not wanted.children:
        return {}
    owners: dict[tuple[str, str], int] = {}
    found = Customer.filter(wanted).order_by("id").values("id", "merged_into_id", *IDENTITIES)
    for c in await found:
        owners[("customer_id", str(c["id"]))] = c["merged_into_id"] or c["id"]
        for key in IDENTITIES:
            if c[key] and c["merged_into_id"] is None:
                owners.setdefault((key, c[key]), c["id"])
    return owners


def _owner(row: OrderRow, owners: dict[tuple[str, str], int]) -> int | None:
    for key in ("customer_id", *IDENTITIES):
        value = getattr(row, key)
        if value and (key, str(value)) in owners:
            return owners[(key, str(value))]
    return None


_COLUMNS = ("customer_id", "external_id", "amount", "currency", "items_summary", "paid_at",
            "channel", "created_at")  # fmt: skip


async def _insert_orders(
    lined: list[tuple[int, OrderRow]], report: ImportReport, errors: ErrorReport, clock: Clock
) -> None:
    """One INSERT … ON CONFLICT DO NOTHING per batch: an order id already stored is left as it
    is (counted unchanged), then the owners' purchase figures are recomputed once."""
    owners = await _owners([row for _, row in lined])
    now, seen, new = clock.now(), set(), []
    for line, row in lined:
        owner = _owner(row, owners)
        if row.external_id in seen:
            report.unchanged += 1
        elif owner is None:
            errors.add(RowError(line, "customer", "找不到这位客户（请先导入客户）"))
        else:
            seen.add(row.external_id)
            new.append((owner, row.external_id, row.amount, row.currency, row.items_summary,
                        row.paid_at, row.channel, now))  # fmt: skip
    returning = '"customer_id", "amount", "currency", "paid_at"'
    inserted = await insert_ignoring_conflicts("orders", _COLUMNS, new, returning)
    report.created += len(inserted)
    report.unchanged += len(new) - len(inserted)
    await add_order_stats(inserted)
