"""`siyu campaign create|list|show|pause|resume|run|stats`: campaigns from the terminal.

JSON on stdout (what a tool reads), messages and progress on stderr. `run` starts a run now,
outside the schedule; the workers (`siyu serve` / `siyu worker`) send it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.app import ConfigOption
from bot.cli.data import CLI, _run, _settings, console
from bot.cli.segments import emit
from crm.campaigns.runs import start_run
from crm.clock import SYSTEM_CLOCK
from crm.models.campaigns import Campaign, CampaignStatus

campaign_app = typer.Typer(
    help="Scheduled campaigns (birthday, holiday, points, win-back, custom).", no_args_is_help=True
)
CampaignId = Annotated[int, typer.Argument(help="campaign id (see `siyu campaign list`)")]


@campaign_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="campaign file, YAML or JSON (see README)")],
    config: Path | None = ConfigOption,
) -> None:
    """Create a campaign from its file; prints it as JSON with its id."""
    from crm.campaigns.service import campaign_json, create_campaign
    from crm.campaigns.spec import load_spec
    from scheduler.calendars import HolidayCalendar

    known = HolidayCalendar(_settings(config).scheduler.brand_dates).names()

    async def work() -> dict[str, Any]:
        spec = load_spec(file)
        return campaign_json(await create_campaign(spec, actor=CLI, occasions=known))

    emit(_run(config, work))


@campaign_app.command("list")
def list_(
    status: Annotated[CampaignStatus | None, typer.Option(help="only this status")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Every campaign (or those in one status), oldest first, as JSON."""
    from crm.campaigns.service import list_campaigns

    async def work() -> list[dict[str, Any]]:
        return [_summary(c) for c in await list_campaigns(status)]

    emit(_run(config, work))


def _summary(c: Campaign) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "kind": c.kind.value, "status": c.status.value,
            "schedule": c.schedule}  # fmt: skip


@campaign_app.command("show")
def show(campaign_id: CampaignId, config: Path | None = ConfigOption) -> None:
    """One campaign with its latest runs, as JSON."""
    from crm.campaigns.service import campaign_json, get_campaign
    from crm.models.campaigns import CampaignRun

    async def work() -> dict[str, Any]:
        shown = campaign_json(await get_campaign(campaign_id))
        runs = await CampaignRun.filter(campaign_id=campaign_id).order_by("-id").limit(10)
        shown["runs"] = [_run_json(r) for r in runs]
        return shown

    emit(_run(config, work))


def _run_json(r: Any) -> dict[str, Any]:
    return {"id": r.id, "run_key": r.run_key, "run_date": r.run_date.isoformat(), "step": r.step,
            "status": r.status.value, "dry_run": r.dry_run, "targeted": r.targeted}  # fmt: skip


@campaign_app.command("pause")
def pause(campaign_id: CampaignId, config: Path | None = ConfigOption) -> None:
    """Stop a campaign: no new runs, its pending deliveries wait until resumed."""
    from crm.campaigns.service import pause as pause_campaign

    emit(_summary(_run(config, lambda: pause_campaign(campaign_id, actor=CLI))))


@campaign_app.command("resume")
def resume(campaign_id: CampaignId, config: Path | None = ConfigOption) -> None:
    """Put a paused campaign back on its schedule; waiting deliveries go out."""
    from crm.campaigns.service import resume as resume_campaign

    emit(_summary(_run(config, lambda: resume_campaign(campaign_id, actor=CLI))))


@campaign_app.command("stats")
def stats(
    campaign_id: CampaignId,
    run: Annotated[int | None, typer.Option("--run", help="one run's id (default: all)")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Targeted, sent by channel, failed by code, skipped by reason, effects; as JSON."""
    from crm.campaigns.service import get_campaign
    from crm.campaigns.stats import campaign_stats

    async def work() -> dict[str, Any]:
        await get_campaign(campaign_id)
        return (await campaign_stats(campaign_id, run)).as_json()

    emit(_run(config, work))


@campaign_app.command("run")
def run(
    campaign_id: CampaignId,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list who would get what (masked); send nothing")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="block until every delivery is final; print stats")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="dry run: rows shown")] = 50,
    timeout: Annotated[float | None, typer.Option(help="--wait: give up after seconds")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Start a run now, outside the schedule (the workers send it)."""

    async def work() -> dict[str, Any]:
        from crm.campaigns.service import get_campaign

        campaign = await get_campaign(campaign_id)
        outcome = await _start(campaign, dry_run)
        if dry_run:
            return await _dry_run_report(campaign, outcome.run_id, limit)
        if wait:
            return await _wait(campaign_id, outcome.run_id, outcome.targeted, timeout)
        return {"run_id": outcome.run_id, "created": outcome.created, "targeted": outcome.targeted}

    emit(_run(config, work))


async def _start(campaign: Campaign, dry_run: bool) -> Any:
    now = SYSTEM_CLOCK.now()
    local = now.astimezone(ZoneInfo(campaign.timezone))
    key = f"{'dry' if dry_run else 'manual'}:{now:%Y%m%dT%H%M%S.%f}"
    return await start_run(campaign.id, run_date=local.date(), run_key=key, dry_run=dry_run)


async def _dry_run_report(campaign: Campaign, run_id: int, limit: int) -> dict[str, Any]:
    from crm.campaigns.preview import preview_run
    from crm.campaigns.stats import campaign_stats

    rows = await preview_run(run_id, campaign, limit=limit, clock=SYSTEM_CLOCK)
    counted = await campaign_stats(campaign.id, run_id)
    return {
        "run_id": run_id, "dry_run": True, "targeted": counted.targeted,
        "skipped_by_reason": counted.skipped_by_reason,
        "deliveries": [row.as_json() for row in rows],
    }  # fmt: skip


async def _wait(campaign_id: int, run_id: int, targeted: int, give_up: float | None) -> Any:
    from crm.campaigns.stats import campaign_stats

    started = SYSTEM_CLOCK.monotonic()
    with _progress() as progress:
        task = progress.add_task("发送中", total=targeted)
        while True:
            stats = await campaign_stats(campaign_id, run_id)
            progress.update(task, total=stats.targeted, completed=_final(stats))
            if stats.targeted and _final(stats) == stats.targeted:
                return stats.as_json()
            if give_up is not None and SYSTEM_CLOCK.monotonic() - started > give_up:
                console.print(f"[yellow]{give_up:g} 秒内未全部完成：仍有 {stats.pending} 条待发送、"
                              f"{stats.waiting} 条等待员工确认（需运行 siyu serve 或 siyu worker）"
                              "[/yellow]")  # fmt: skip
                emit(stats.as_json())
                raise typer.Exit(1)
            await asyncio.sleep(1.0)


def _final(stats: Any) -> int:
    return int(stats.sent + stats.failed + stats.skipped)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
