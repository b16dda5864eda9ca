from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, load_settings
from crm import currency
from crm.actors import SYSTEM
from crm.config import CurrencySettings
from crm.errors import UnknownCurrency
from crm.importing import import_orders
from crm.models import Customer, Order
from crm.orders import OrderInput, record_order, refresh_order_stats
from tests.crm.conftest import NOW, MakeCustomer

RATES = CurrencySettings(base="CNY", rates={"USD": Decimal("7.1"), "HKD": Decimal("0.913")})


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> CurrencySettings:
    monkeypatch.setattr(currency, "_active", RATES)
    return RATES


def order(customer_id: int, ref: str, amount: str, code: str) -> OrderInput:
    return OrderInput(external_id=ref, customer_id=customer_id, amount=Decimal(amount),
                      currency=code, paid_at=NOW)  # fmt: skip


async def test_total_spent_is_in_the_base_currency(
    make_customer: MakeCustomer, rates: CurrencySettings
) -> None:
    c = await make_customer()
    await record_order(order(c.id, "C1", "100", "CNY"), actor=SYSTEM)
    await record_order(order(c.id, "U1", "10.05", "USD"), actor=SYSTEM)  # 71.355 -> 71.36
    await record_order(order(c.id, "H1", "100", "HKD"), actor=SYSTEM)  # 91.30
    fresh = await Customer.get(id=c.id)
    assert fresh.total_spent == Decimal("262.66") and fresh.order_count == 3
    stored = await Order.get(external_id="U1")
    assert (stored.amount, stored.currency) == (Decimal("10.05"), "USD")  # kept as given
    await refresh_order_stats()
    assert (await Customer.get(id=c.id)).total_spent == Decimal("262.66")


async def test_an_unrated_currency_is_refused(
    make_customer: MakeCustomer, rates: CurrencySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await make_customer()
    with pytest.raises(UnknownCurrency, match=r"crm\.currency\.rates"):
        await record_order(order(c.id, "E1", "5", "EUR"), actor=SYSTEM)
    assert not await Order.exists(external_id="E1")

    await record_order(order(c.id, "U1", "1", "USD"), actor=SYSTEM)
    monkeypatch.setattr(currency, "_active", CurrencySettings())  # USD rate removed later
    with pytest.raises(UnknownCurrency, match="USD"):
        await refresh_order_stats([c.id])
    assert (await Customer.get(id=c.id)).total_spent == Decimal("7.10")  # left as it was


async def test_import_converts_and_reports_unrated_rows(
    make_customer: MakeCustomer, rates: CurrencySettings, tmp_path: Path
) -> None:
    c = await make_customer(openid="o1")
    source = tmp_path / "orders.csv"
    source.write_text(
        "external_id,openid,amount,currency,paid_at\n"
        "A1,o1,100,CNY,2026-11-01 10:00:00\n"
        "A2,o1,10,USD,2026-11-02 10:00:00\n"
        "A3,o1,10,EUR,2026-11-03 10:00:00\n",
        encoding="utf-8",
    )
    report = await import_orders(source, None, actor=SYSTEM)
    assert (report.created, report.errors) == (2, 1)
    assert (report.first_errors[0].line, report.first_errors[0].field) == (4, "currency")
    assert "EUR" in report.first_errors[0].reason
    imported = await Customer.get(id=c.id)
    assert imported.total_spent == Decimal("171.00") and imported.order_count == 2
    await refresh_order_stats([c.id])  # the import's running figures equal a recompute
    again = await Customer.get(id=c.id)
    assert (again.total_spent, again.first_order_at, again.last_order_at) == (
        imported.total_spent, imported.first_order_at, imported.last_order_at
    )  # fmt: skip


def test_settings_validate_codes_and_rates() -> None:
    assert currency.to_base(Decimal("2"), "USD", RATES) == Decimal("14.20")
    with pytest.raises(ValidationError):
        CurrencySettings(rates={"US$": Decimal("7")})
    with pytest.raises(ValidationError):
        CurrencySettings(rates={"USD": Decimal("0")})
    assert CurrencySettings(rates={"usd": Decimal("7")}).rates == {"USD": Decimal("7")}
    settings = load_settings(Path("tests/data/config.yaml"))
    assert settings.crm.currency.base == "CNY"
    assert settings.crm.currency.rates["USD"] == Decimal("7.1")


@pytest.fixture
def unrated() -> None:
    """No rates before the server starts, so only the server's start-up can set them (not a
    previous test's, nor this module's `rates` fixture)."""
    currency.configure(CurrencySettings())


async def test_the_server_sums_with_the_configured_rates(
    unrated: None, client: object, settings: Settings, make_customer: MakeCustomer
) -> None:
    # `unrated` comes first: it runs before `client` starts the server
    configured = {"USD": Decimal("7.1"), "HKD": Decimal("0.913")}  # tests/data/config.yaml
    assert settings.crm.currency.rates == configured
    assert currency.active() == settings.crm.currency
    c = await make_customer()
    await record_order(order(c.id, "U1", "10", "USD"), actor=SYSTEM)  # 71.00
    await record_order(order(c.id, "H1", "100", "HKD"), actor=SYSTEM)  # 91.30
    assert (await Customer.get(id=c.id)).total_spent == Decimal("162.30")
    await Customer.filter(id=c.id).update(total_spent=Decimal("0"))
    await refresh_order_stats()  # the SQL path sums with the same rates
    assert (await Customer.get(id=c.id)).total_spent == Decimal("162.30")
