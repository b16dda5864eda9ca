"""Survey settings (config.yaml `surveys:`, env SIYU_SURVEYS__...)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SurveyTriggers(BaseModel):
    """Which survey (by id) is sent after an event; None: nothing is sent."""

    complaint_resolved: int | None = Field(None, ge=1, description="after a complaint is resolved")
    first_order: int | None = Field(None, ge=1, description="after a customer's first order")


class SurveySettings(BaseModel):
    expiry_hours: float = Field(
        24.0, gt=0, le=24 * 14, description="an unanswered survey ends after this long"
    )
    after: SurveyTriggers = SurveyTriggers()

    @property
    def expiry_seconds(self) -> float:
        return self.expiry_hours * 3600
