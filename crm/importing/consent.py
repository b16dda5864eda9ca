"""The consent columns of `siyu import customers` (PIPL): `consent` (是/否), `consent_source`
(how the person agreed: 门店登记表, 小程序勾选 …) and `consent_date`. 是 needs both others;
否 records a withdrawal; an empty cell changes nothing. Customers imported without consent on
record are counted in the report, and `siyu import` says that marketing will skip them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from crm.pipl import consent

CONSENT_COLUMNS = ("consent", "consent_source", "consent_date")


def check(given: bool | None, source: str | None, day: date | None) -> None:
    """ValueError unless a 是 comes with its source and date."""
    if given and not (source and day):
        raise ValueError("同意营销（consent=是）须注明 consent_source 与 consent_date")


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


async def record(
    customer_id: int, given: bool | None, source: str | None, day: date | None, file: str
) -> bool:
    """The row's consent, granted or withdrawn; True when the customer has none on record."""
    if given is None:
        return not await consent.has_consent(customer_id)
    detail = f"{file}: {source or '-'} {day.isoformat() if day else ''}".strip()
    change = consent.Change(consent.ConsentSource.IMPORT, detail=detail[:128],
                            at=_at(day) if day else None)  # fmt: skip
    await (consent.grant if given else consent.withdraw)(customer_id, change)
    return not given
