"""`siyu report today|overview`: the figures the staff command `/stats today` and the admin
API's /v1/reports/overview show, from the same crm.reports queries, as JSON on stdout."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import ConfigOption
from bot.cli.data import _run, _settings
from bot.cli.segments import emit

report_app = typer.Typer(help="Figures for staff (as /stats and the API's reports).",
                         no_args_is_help=True)  # fmt: skip
TimezoneOption = typer.Option(None, "--timezone", help="IANA name; default: the configured one")


def _with_shares(figures: Any) -> dict[str, Any]:
    return {**asdict(figures), "negative_share": figures.negative_share}


@report_app.command("today")
def today(config: Path | None = ConfigOption, timezone: str | None = TimezoneOption) -> None:
    """Today's figures, from the start of the local day until now (as /stats today)."""
    from crm import reports
    from crm.clock import SYSTEM_CLOCK

    zone = timezone or _settings(config).timezone

    async def work() -> dict[str, Any]:
        return _with_shares(await reports.today(SYSTEM_CLOCK, zone))

    emit(_run(config, work))


@report_app.command("overview")
def overview(
    start: Annotated[str, typer.Option(help="first local day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="last local day, included")],
    config: Path | None = ConfigOption,
    timezone: str | None = TimezoneOption,
) -> None:
    """A period's figures (as GET /api/v1/reports/overview)."""
    from crm import reports

    zone = timezone or _settings(config).timezone
    first, last = _day(start, "--start"), _day(end, "--end")

    async def work() -> dict[str, Any]:
        found = await reports.overview(first, last, zone)
        days = [_with_shares(d) for d in found.days]
        return {**_with_shares(found), "new_followers": found.new_followers, "days": days}

    emit(_run(config, work))


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option}: 应为 YYYY-MM-DD 格式的日期") from None
