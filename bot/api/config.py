"""Settings of the admin API (`api:` in config.yaml, SIYU_API__*)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    rate_per_second: float = Field(20.0, gt=0, description="requests a second per token")
    rate_burst: float = Field(60.0, ge=1, description="requests a token may send at once")
    max_page: int = Field(200, ge=1, le=1000, description="the cap on a list's limit")
    export_seconds: float = Field(300.0, gt=0, description="a CSV export gives up after this")
