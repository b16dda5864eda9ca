"""What the Redis store can be configured with (`store:`; SIYU_STORE__*)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StoreSettings(BaseModel):
    """The Redis connection pool. A request waits for a free connection instead of failing,
    and every wait and read is bounded well inside WeChat's 5 seconds."""

    max_connections: int = Field(200, ge=1, description="pooled connections per process")
    pool_timeout_seconds: float = Field(2.0, gt=0, description="wait for a free connection")
    socket_timeout_seconds: float = Field(1.0, gt=0, description="one command's reply")
    connect_timeout_seconds: float = Field(1.0, gt=0, description="opening a connection")
    health_check_seconds: int = Field(15, ge=0, description="PING a connection idle this long")
