"""`siyu import customers|orders FILE.csv`: streaming, batch by batch (constant memory), every bad
row reported (line, field, reason) without stopping, and safe to run again (upsert by identity
for customers, by external order id for orders)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crm.birthdays import birthday_fields, parse_birthday
from crm.csvio import CsvRow, CsvSource, ErrorReport, RowError
from crm.errors import InvalidInput
from crm.models import Channel, Customer, CustomerTag, Gender, Order, Tag, TagSource
from crm.orders import refresh_order_stats
from crm.phones import normalize_optional_phone

IDENTITIES = ("openid", "external_userid", "unionid", "phone")
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}
_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_PLAIN = ("openid", "external_userid", "unionid", "phone", "display_name", "gender", "city",
          "subscribed", "opted_out")  # fmt: skip
T = TypeVar("T")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    first_errors: tuple[RowError, ...] = ()
    error_file: Path | None = None


Progress = Callable[[int], None]


def _as_value_error(parse: Callable[[Any], T], value: Any) -> T:
    """Let pydantic collect domain errors as field errors (it only collects ValueError)."""
    try:
        return parse(value)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


class CustomerRow(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    openid: str | None = Field(None, max_length=64)
    external_userid: str | None = Field(None, max_length=64)
    unionid: str | None = Field(None, max_length=64)
    phone: str | None = None
    display_name: str | None = Field(None, max_length=64)
    gender: Gender | None = None
    birthday: dict[str, Any] | None = None
    city: str | None = Field(None, max_length=64)
    subscribed: bool | None = None
    opted_out: bool | None = None
    tags: tuple[str, ...] = ()
    attributes: dict[str, str] = {}

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _as_value_error(normalize_optional_phone, value)

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, value: str | None) -> Gender | None:
        if not value:
            return None
        text = value.strip().lower()
        if text in _GENDERS:
            return _GENDERS[text]
        if text in {g.value for g in Gender}:
            return Gender(text)
        raise ValueError("应为 男、女、male、female 或 unknown")

    @field_validator("birthday", mode="before")
    @classmethod
    def _birthday(cls, value: str | None) -> dict[str, Any] | None:
        return birthday_fields(_as_value_error(parse_birthday, value)) if value else None

    @field_validator("subscribed", "opted_out", mode="before")
    @classmethod
    def _flag(cls, value: str | None) -> bool | None:
        if value is None or value == "":
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError("应为 是/否、true/false 或 1/0")

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: str | tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        tags = tuple(t.strip() for t in value.replace("，", "|").replace(",", "|").split("|"))
        if any(len(t) > 64 for t in tags):
            raise ValueError("标签不能超过 64 个字")
        return tuple(t for t in tags if t)

    def identity(self) -> tuple[str, str]:
        for key in IDENTITIES:
            value = getattr(self, key)
            if value:
                return key, value
        raise ValueError("至少需要 openid、external_userid、unionid 或 phone 之一")

    def changes(self) -> dict[str, Any]:
        """Only what the file says: an empty cell never erases what is stored."""
        fields = {k: v for k in _PLAIN if (v := getattr(self, k)) not in (None, "")}
        return {**fields, **(self.birthday or {})}


def _customer_row(row: CsvRow) -> CustomerRow:
    values: dict[str, Any] = {
        k: v for k, v in row.values.items() if k and not k.startswith("attr_")
    }
    values.setdefault("display_name", values.pop("name", None))
    values["attributes"] = {
        k.removeprefix("attr_"): v for k, v in row.values.items() if k.startswith("attr_") and v
    }
    known = set(CustomerRow.model_fields)
    values = {
        k: (v if v != "" else None) if k != "tags" else v for k, v in values.items() if k in known
    }
    parsed = CustomerRow(**values)
    parsed.identity()
    return parsed


def _errors_of(line: int, exc: Exception) -> list[RowError]:
    if isinstance(exc, ValidationError):
        return [
            RowError(
                line,
                ".".join(str(p) for p in e["loc"]) or "row",
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors(include_url=False, include_input=False)
        ]
    field = (
        "phone"
        if "手机号" in str(exc)
        else "birthday"
        if "生日" in str(exc) or "日期" in str(exc)
        else "row"
    )
    return [RowError(line, field, str(exc).removeprefix("Value error, "))]


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def import_customers(
    path: Path,
    error_file: Path | None = None,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
) -> ImportReport:
    report, errors = ImportReport(error_file=error_file), ErrorReport(error_file)
    try:
        with CsvSource(path) as source:
            for batch in _batches(source.rows(), batch_size):
                valid = _validate(batch, _customer_row, errors, report)
                await _upsert_customers([row for _, row in valid], report)
                if on_progress:
                    on_progress(source.position)
    finally:
        errors.close()
    report.errors, report.first_errors = errors.count, tuple(errors.first)
    return report


def _validate(
    batch: list[CsvRow], parse: Callable[[CsvRow], T], errors: ErrorReport, report: ImportReport
) -> list[tuple[int, T]]:
    valid = []
    for row in batch:
        report.rows += 1
        try:
            valid.append((row.line, parse(row)))
        except (ValidationError, ValueError, InvalidInput) as exc:
            for error in _errors_of(row.line, exc):
                errors.add(error)
    return valid


async def _existing(rows: list[CustomerRow]) -> dict[tuple[str, str], Customer]:
    found: dict[tuple[str, str], Customer] = {}
    for key in IDENTITIES:
        values = {getattr(r, key) for r in rows if getattr(r, key)}
        if values:
            qs = Customer.filter(merged_into_id__isnull=True, **{f"{key}__in": list(values)})
            for customer in await qs.order_by("id"):
                found.setdefault((key, getattr(customer, key)), customer)
    return found


def _match(row: CustomerRow, found: dict[tuple[str, str], Customer]) -> Customer | None:
    for key in IDENTITIES:
        value = getattr(row, key)
        if value and (key, value) in found:
            return found[(key, value)]
    return None


async def _upsert_customers(rows: list[CustomerRow], report: ImportReport) -> None:
    found = await _existing(rows)
    fresh: dict[tuple[str, str], CustomerRow] = {}
    for row in rows:
        customer = _match(row, found)
        if customer is None:
            fresh[row.identity()] = row  # a later row for the same person wins
        elif await _update(customer, row):
            report.updated += 1
        else:
            report.unchanged += 1
    if fresh:
        await Customer.bulk_create([_new_customer(r) for r in fresh.values()])
        report.created += len(fresh)
        found = await _existing(list(fresh.values()))
    await _tag(rows, found)


def _new_customer(row: CustomerRow) -> Customer:
    return Customer(source_channel=Channel.IMPORT, attributes=row.attributes, **row.changes())


async def _update(customer: Customer, row: CustomerRow) -> bool:
    changes = {k: v for k, v in row.changes().items() if getattr(customer, k) != v}
    attributes = {**(customer.attributes or {}), **row.attributes}
    if attributes != (customer.attributes or {}):
        changes["attributes"] = attributes
    if not changes:
        return False
    unique_taken = {"openid", "external_userid"} & set(changes)
    for key in unique_taken:
        if getattr(customer, key):
            changes.pop(key)  # never re-point an existing WeChat identity from a file
    await Customer.filter(id=customer.id).update(**changes)
    return True


async def _tag(rows: list[CustomerRow], found: dict[tuple[str, str], Customer]) -> None:
    wanted = {(c.id, name) for r in rows if r.tags and (c := _match(r, found)) for name in r.tags}
    if not wanted:
        return
    tag_ids = {}
    for name in {n for _, n in wanted}:
        tag_ids[name] = (await Tag.get_or_create(name=name))[0].id
    have = set(
        await CustomerTag.filter(customer_id__in=[c for c, _ in wanted]).values_list(
            "customer_id", "tag_id"
        )
    )
    new = {(c, tag_ids[n]) for c, n in wanted} - have
    await CustomerTag.bulk_create(
        [CustomerTag(customer_id=c, tag_id=t, source=TagSource.IMPORT) for c, t in new]
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
        return _as_value_error(normalize_optional_phone, value)

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


async def import_orders(
    path: Path,
    error_file: Path | None = None,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
) -> ImportReport:
    report, errors = ImportReport(error_file=error_file), ErrorReport(error_file)
    try:
        with CsvSource(path) as source:
            for batch in _batches(source.rows(), batch_size):
                valid = _validate(batch, _order_row, errors, report)
                await _insert_orders(valid, report, errors)
                if on_progress:
                    on_progress(source.position)
    finally:
        errors.close()
    report.errors, report.first_errors = errors.count, tuple(errors.first)
    return report


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
