"""The run functions a campaign job calls: crm.campaigns.runs behind a small protocol, so the
job wiring is tested on its own (tests/campaigns/test_campaign_jobs.py also runs the real
functions end to end)."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from crm.campaigns import runs
from crm.clock import Clock
from crm.models import Campaign


class CampaignRuns(Protocol):
    async def start_run(
        self, campaign_id: int, *, run_date: date, run_key: str | None, step: int, clock: Clock
    ) -> Any: ...

    async def due_steps(self, campaign: Campaign, *, run_date: date, clock: Clock) -> list[int]: ...

    async def finish_runs(self, *, clock: Clock) -> int: ...


def _runs() -> Any:
    return runs


class ContractRuns:
    """crm.campaigns.runs, looked up when called."""

    async def start_run(
        self, campaign_id: int, *, run_date: date, run_key: str | None, step: int, clock: Clock
    ) -> Any:
        return await _runs().start_run(
            campaign_id, run_date=run_date, run_key=run_key, step=step, clock=clock
        )

    async def due_steps(self, campaign: Campaign, *, run_date: date, clock: Clock) -> list[int]:
        return list(await _runs().due_steps(campaign, run_date=run_date, clock=clock))

    async def finish_runs(self, *, clock: Clock) -> int:
        return int(await _runs().finish_runs(clock=clock))
