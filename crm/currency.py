"""Amounts in the base currency: an order keeps its own amount and currency, and a customer's
total spent adds them up converted at the configured rates (config `crm.currency`). A currency
without a rate is refused (UnknownCurrency), never summed as if it were the base currency.

The rates are process-wide, set once from the configuration at start-up (`configure`), because
every path that recomputes total spent (orders, imports, merges, the nightly job) must use the
same ones."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from crm.config import CurrencySettings
from crm.errors import UnknownCurrency

_CENT = Decimal("0.01")
_active = CurrencySettings()


def configure(settings: CurrencySettings) -> None:
    global _active
    _active = settings


def active() -> CurrencySettings:
    return _active


def rates(settings: CurrencySettings | None = None) -> dict[str, Decimal]:
    """Every accepted currency and its rate to the base (the base itself at 1)."""
    s = settings or _active
    return {**s.rates, s.base: Decimal(1)}


def check(currencies: Iterable[str], settings: CurrencySettings | None = None) -> None:
    known = rates(settings)
    unknown = sorted({c for c in currencies if c not in known})
    if unknown:
        raise UnknownCurrency(unknown_message(unknown, settings))


def unknown_message(codes: Iterable[str], settings: CurrencySettings | None = None) -> str:
    base = (settings or _active).base
    return (
        f"未配置 {'、'.join(codes)} 对 {base} 的汇率：请在 config.yaml 的 crm.currency.rates "
        f"中添加（例如 USD: 7.1），或把金额换算成 {base} 后再导入"
    )


def to_base(amount: Decimal, currency: str, settings: CurrencySettings | None = None) -> Decimal:
    check([currency], settings)
    return (amount * rates(settings)[currency]).quantize(_CENT, ROUND_HALF_UP)


def sql_to_base(amount: str, currency: str, settings: CurrencySettings | None = None) -> str:
    """SQL for one order's amount in the base currency, rounded to the cent like `to_base`.
    Codes and rates are validated by CurrencySettings, so they are safe to inline."""
    s = settings or _active
    if not s.rates:
        return amount
    cases = " ".join(
        f"WHEN '{code}' THEN ROUND({amount} * {rate:f}, 2)"
        for code, rate in sorted(s.rates.items())
        if code != s.base
    )
    return f"CASE {currency} WHEN '{s.base}' THEN {amount} {cases} END"
