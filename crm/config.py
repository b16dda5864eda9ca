"""What the customer domain can be configured with (config.yaml `crm:`, env SIYU_CRM__...)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator


class PointsSettings(BaseModel):
    validity_days: int = Field(365, ge=1, description="points expire this long after earning")
    expiring_soon_days: int = Field(30, ge=1, description="how far ahead 'expiring soon' looks")


class LifecycleSettings(BaseModel):
    new_days: int = Field(30, ge=1, description="a first order this recent makes a new customer")
    loyal_min_orders: int = Field(5, ge=2, description="orders needed to count as loyal")
    at_risk_days: int = Field(
        45, ge=1, description="churn early warning: no order or message for this many days"
    )
    churned_days: int = Field(180, ge=2, description="inactive this long: churned")
    at_risk_tag: str = Field("流失预警", min_length=1, max_length=64)

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleSettings:
        if self.at_risk_days >= self.churned_days:
            raise ValueError("at_risk_days must be smaller than churned_days")
        return self


class RfmSettings(BaseModel):
    buckets: int = Field(5, ge=2, le=10, description="quantiles per score (5 = quintiles)")


class CurrencySettings(BaseModel):
    """Orders keep their own amount and currency; total spent is summed in the base currency."""

    base: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="currency of total_spent")
    rates: dict[str, Decimal] = Field(
        default_factory=dict, description="units of base per unit of the currency, e.g. USD: 7.1"
    )

    @field_validator("rates", mode="before")
    @classmethod
    def _upper_codes(cls, rates: object) -> object:
        """Environment keys arrive lower-cased (SIYU_CRM__CURRENCY__RATES__USD → usd)."""
        return {str(k).upper(): v for k, v in rates.items()} if isinstance(rates, dict) else rates

    @field_validator("rates")
    @classmethod
    def _valid_rates(cls, rates: dict[str, Decimal]) -> dict[str, Decimal]:
        for code, rate in rates.items():
            if len(code) != 3 or not code.isascii() or not code.isalpha():
                raise ValueError(f"{code!r} is not a currency code like USD")
            if not rate.is_finite() or rate <= 0:
                raise ValueError(f"the rate of {code} must be a positive number")
        return rates


_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class CampaignSettings(BaseModel):
    """What the outbox applies to every campaign run (config.yaml `crm: campaigns:`)."""

    frequency_cap: int = Field(
        2, ge=1, description="marketing messages a customer may get within frequency_days"
    )
    frequency_days: int = Field(7, ge=1, description="the window of the frequency cap")
    quiet_start: str = Field("22:00", pattern=_HHMM, description="default quiet hours start")
    quiet_end: str = Field("08:00", pattern=_HHMM, description="default quiet hours end")
    expiring_within_days: int = Field(
        30, ge=1, description="points campaigns: credits expiring this soon"
    )
    inactive_days: int = Field(60, ge=1, description="win-back: no activity for this many days")
    second_after_days: int = Field(7, ge=1, description="win-back: the second message after")
    coupon_prefix: str = Field("C", pattern=r"^[A-Z]{1,8}$", description="coupon code prefix")
    enqueue_batch: int = Field(
        100_000, ge=1000, le=1_000_000, description="customer ids per INSERT … SELECT"
    )


class CrmSettings(BaseModel):
    points: PointsSettings = PointsSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    rfm: RfmSettings = RfmSettings()
    currency: CurrencySettings = CurrencySettings()
    campaigns: CampaignSettings = CampaignSettings()
    default_phone_region: str = Field("CN", description="numbers without + are read as mainland")
    timezone: str = Field("Asia/Shanghai", description="whose 'today' birthdays use")
    preview_size: int = Field(20, ge=1, le=200, description="customers shown in a preview")
    batch_size: int = Field(1000, ge=10, le=50_000, description="rows per batch when streaming")
