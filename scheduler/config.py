"""What the scheduler can be configured with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SchedulerSettings(BaseModel):
    enabled: bool = True
    nightly_at: str = Field("03:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")
    lease_seconds: float = Field(30.0, ge=5, description="leadership lease; renewed at a third")
