"""Dispatcher settings (`campaigns:` in config.yaml): batch, lease, concurrency, retries, limits."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DispatchSettings(BaseModel):
    enabled: bool = True
    batch_size: int = Field(500, ge=1, le=10_000, description="deliveries claimed at once")
    lease_seconds: float = Field(60.0, ge=2, description="a claim expires after this")
    concurrency: int = Field(64, ge=1, le=1000, description="sends in flight per worker")
    idle_seconds: float = Field(1.0, gt=0, description="pause when nothing is due")
    max_attempts: int = Field(5, ge=1, le=20, description="retryable errors, then failed")
    backoff_seconds: float = Field(30.0, gt=0, description="first retry delay, doubled each time")
    max_backoff_seconds: float = Field(3600.0, gt=0)
    poll_seconds: float = Field(60.0, gt=0, description="WeCom task results polled this often")
    rate_limits: dict[str, float] = Field(
        default_factory=dict,
        description="calls per second per API: customer_service, template, wecom_task; "
        "absent or 0: unlimited",
    )
