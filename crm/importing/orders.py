"""`siyu import orders FILE.csv`: idempotent by the shop's order id; each order finds its
customer by customer_id, openid, external_userid, unionid or phone."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crm.csvio import CsvRow, ErrorReport, RowError
from crm.importing.common import IDENTITIES, ImportReport, Progress, as_value_error, run_import
from crm.models import Customer, Order
from crm.orders import refresh_order_stats
from crm.phones import normalize_optional_phone


async def import_orders(
    path: Path,
    error_file: Path | None = None,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
) -> ImportReport:
    return await run_import(path, _order_row, _insert_orders, error_file, batch_size, on_progress)


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
    owners: dict[tuple[str, str], int] = {}
    ids = [r.customer_id for r in rows if r.customer_id]
    if ids:
        for cid in await Customer.filter(id__in=ids).values_list("id", flat=True):
            owners[("customer_id", str(cid))] = int(cid)  # type: ignore[call-overload]
    for key in IDENTITIES:
        values = {getattr(r, key) for r in rows if getattr(r, key)}
        if values:
            qs = Customer.filter(merged_into_id__isnull=True, **{f"{key}__in": list(values)})
            for cid, value in await qs.order_by("-id").values_list("id", key):
                owners[(key, value)] = cid
    return owners


def _owner(row: OrderRow, owners: dict[tuple[str, str], int]) -> int | None:
    for key in ("customer_id", *IDENTITIES):
        value = getattr(row, key)
        if value and (key, str(value)) in owners:
            return owners[(key, str(value))]
    return None


async def _insert_orders(
    lined: list[tuple[int, OrderRow]], report: ImportReport, errors: ErrorReport
) -> None:
    if not lined:
        return
    rows = [row for _, row in lined]
    existing = set(
        await Order.filter(external_id__in=[r.external_id for r in rows]).values_list(
            "external_id", flat=True
        )
    )
    owners = await _owners(rows)
    new: dict[str, Order] = {}
    for line, row in lined:
        if row.external_id in existing or row.external_id in new:
            report.unchanged += 1
            continue
        owner = _owner(row, owners)
        if owner is None:
            errors.add(RowError(line, "customer", "找不到这位客户（请先导入客户）"))
            continue
        data = row.model_dump(include={"external_id", "amount", "currency", "items_summary",
                                       "paid_at", "channel"})  # fmt: skip
        new[row.external_id] = Order(customer_id=owner, **data)
    if new:
        await Order.bulk_create(list(new.values()))
        await refresh_order_stats([o.customer_id for o in new.values()])  # type: ignore[attr-defined]
        report.created += len(new)
