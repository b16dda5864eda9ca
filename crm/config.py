"""What the customer domain can be configured with (config.yaml `crm:`, env SIYU_CRM__...)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


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


class CrmSettings(BaseModel):
    points: PointsSettings = PointsSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    rfm: RfmSettings = RfmSettings()
    default_phone_region: str = Field("CN", description="numbers without + are read as mainland")
    timezone: str = Field("Asia/Shanghai", description="whose 'today' birthdays use")
    preview_size: int = Field(20, ge=1, le=200, description="customers shown in a preview")
    batch_size: int = Field(1000, ge=10, le=50_000, description="rows per batch when streaming")
