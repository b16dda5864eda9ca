"""`siyu import customers FILE.csv`: upsert by identity (openid, external_userid, unionid, then
phone), so a re-run changes nothing; an empty cell never erases what is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tortoise.exceptions import IntegrityError

from crm.birthdays import birthday_fields, parse_birthday
from crm.csvio import CsvRow, ErrorReport, RowError
from crm.importing.common import IDENTITIES, ImportReport, Progress, as_value_error, run_import
from crm.models import Channel, Customer, CustomerTag, Gender, Tag, TagSource
from crm.phones import normalize_optional_phone

_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}
_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_PLAIN = ("openid", "external_userid", "unionid", "phone", "display_name", "gender", "city",
          "subscribed", "opted_out")  # fmt: skip


async def import_customers(
    path: Path,
    error_file: Path | None = None,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
) -> ImportReport:
    return await run_import(path, _customer_row, _store, error_file, batch_size, on_progress)


async def _store(
    valid: list[tuple[int, CustomerRow]], report: ImportReport, errors: ErrorReport
) -> None:
    await _upsert_customers(valid, report, errors)


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
        return as_value_error(normalize_optional_phone, value)

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
        return birthday_fields(as_value_error(parse_birthday, value)) if value else None

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


async def _upsert_customers(
    lined: list[tuple[int, CustomerRow]], report: ImportReport, errors: ErrorReport
) -> None:
    rows = [row for _, row in lined]
    found = await _existing(rows)
    fresh: dict[tuple[str, str], tuple[int, CustomerRow]] = {}
    for line, row in lined:
        customer = _match(row, found)
        if customer is None:
            fresh[row.identity()] = (line, row)  # a later row for the same person wins
        elif await _update(customer, row):
            report.updated += 1
        else:
            report.unchanged += 1
    if fresh:
        report.created += await _create(list(fresh.values()), errors)
        found = await _existing([row for _, row in fresh.values()])
    await _tag(rows, found)


async def _create(lined: list[tuple[int, CustomerRow]], errors: ErrorReport) -> int:
    """All at once; if an id is already taken (e.g. by a record merged away), one by one."""
    try:
        await Customer.bulk_create([_new_customer(row) for _, row in lined])
        return len(lined)
    except IntegrityError:
        created = 0
        for line, row in lined:
            try:
                await _new_customer(row).save()
                created += 1
            except IntegrityError:
                errors.add(
                    RowError(line, "openid", "该 openid 或 external_userid 已被另一条记录占用")
                )
        return created


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
