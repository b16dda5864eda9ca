"""What the scheduler can be configured with."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class SchedulerSettings(BaseModel):
    enabled: bool = True
    nightly_at: str = Field("03:00", pattern=_HHMM, description="HH:MM")
    lease_seconds: float = Field(30.0, ge=5, description="leadership lease; renewed at a third")
    campaigns_poll_seconds: float = Field(
        3.0, gt=0, description="how often the leader looks for campaign changes"
    )
    catch_up_hours: float = Field(
        6.0, ge=0, description="a run missed while no leader lived is run once if this recent"
    )
    finish_runs_seconds: float = Field(15.0, gt=0, description="marking finished runs done")
    task_results_seconds: float = Field(300.0, gt=0, description="polling WeCom task results")
    calendar_check_at: str = Field("08:00", pattern=_HHMM, description="daily holiday-data check")
    calendar_lookahead_days: int = Field(
        31, ge=0, description="warn this long before a year without public-holiday data"
    )
    calendar_notify_admins: bool = Field(
        True, description="WeCom notice to the admins (once per year) when a year is missing"
    )
    brand_dates: dict[str, str] = Field(
        default={}, description="name -> MM-DD (every year) or YYYY-MM-DD (once)"
    )

    @field_validator("brand_dates")
    @classmethod
    def _dates_parse(cls, value: dict[str, str]) -> dict[str, str]:
        for name, when in value.items():
            try:
                date.fromisoformat(when if len(when) > 5 else f"2000-{when}")
            except ValueError as exc:
                raise ValueError(
                    f"brand date {name!r}: {when!r} is not MM-DD or YYYY-MM-DD"
                ) from exc
        return value
