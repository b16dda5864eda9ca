"""/v1/reports: the overview of a period (crm.reports.overview, every figure in SQL): new
followers, active and churned customers and the sentiment per day, the lifecycle flow, the
RFM grid, complaints opened, resolved and closed and SLA breaches, NPS and CSAT, campaign
deliveries. Counts only: no personal data."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from pydantic import Field, field_validator

from bot.api.models import Out, Strict
from bot.api.registry import API, Call
from bot.keys import SETTINGS
from crm import reports
from crm.permissions import Action

TAG = "reports"
ZONES = frozenset(available_timezones())  # the tz database installed: read once


class OverviewQuery(Strict):
    start: date = Field(description="first local day (YYYY-MM-DD)")
    end: date = Field(description=f"last local day, included; at most {reports.MAX_DAYS} days")
    timezone: str | None = Field(None, max_length=64, description="default: the configured one")

    @field_validator("timezone")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in ZONES:
            raise ValueError("not an IANA timezone name")
        return value


class DayOut(Out):
    day: date
    new_followers: int
    active: int
    churned: int
    messages: int
    analysed: int
    negative: int
    negative_share: float | None


class FlowOut(Out):
    from_stage: str
    to_stage: str
    customers: int


class RfmCellOut(Out):
    r: int
    f: int
    customers: int
    avg_m: float


class ScoresOut(Out):
    nps_answers: int
    nps: float | None
    csat_answers: int
    csat: float | None


class OverviewOut(Out):
    start: date
    end: date
    timezone: str
    new_followers: int
    negative_share: float | None
    days: list[DayOut]
    lifecycle_flow: list[FlowOut]
    rfm_grid: list[RfmCellOut]
    complaints_opened: int
    complaints_resolved: int
    complaints_closed: int
    sla_breaches: int
    scores: ScoresOut
    deliveries: dict[str, int] = Field(description="deliveries created in the period, by status")
    sent_by_channel: dict[str, int] = Field(description="sent in the period, by channel")
    deliveries_failed: int = Field(description="failed in the period, whenever created")


@API.route("GET", "/v1/reports/overview", action=Action.REPORTS_READ, tag=TAG,
           query=OverviewQuery, response=OverviewOut)  # fmt: skip
async def report_overview(call: Call) -> OverviewOut:
    """The figures of the local days from `start` to `end` (both included), as the CLI and
    the staff commands count them."""
    q: OverviewQuery = call.query
    timezone = q.timezone or call.request.config_dict[SETTINGS].timezone
    view = await reports.overview(q.start, q.end, timezone)
    return OverviewOut.model_validate(view)
