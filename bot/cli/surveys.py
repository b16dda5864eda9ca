"""`siyu survey create|send|results`: define a survey from a YAML/JSON file, send it to one
customer or a segment through the customer-service message API, read its results."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import ConfigOption
from bot.cli.data import _run, _settings, console
from bot.cli.segments import emit

survey_app = typer.Typer(help="Surveys answered in the chat.", no_args_is_help=True)


@survey_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="survey definition, YAML or JSON")],
    config: Path | None = ConfigOption,
) -> None:
    """Save a survey; prints it as JSON with its id."""
    from crm.surveys.definitions import create_survey, parse_definition, survey_json
    from crm.surveys.responses import questions_of

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        console.print(f"[red]无法读取 {file}：{exc.strerror}[/red]")
        raise typer.Exit(2) from None

    async def work() -> dict[str, Any]:
        survey = await create_survey(parse_definition(text))
        return survey_json(survey, await questions_of(survey.id))

    emit(_run(config, work))


@survey_app.command("send")
def send(
    survey_id: Annotated[int, typer.Argument(help="survey id")],
    customer: Annotated[int | None, typer.Option("--customer", help="a customer id")] = None,
    openid: Annotated[str | None, typer.Option("--openid", help="a customer's openid")] = None,
    segment: Annotated[int | None, typer.Option("--segment", help="a segment id")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Invite one customer now (prints {"sent", "skipped", "failed"}), or a segment through
    the campaign outbox, within the sending rules and the frequency cap (prints the run: the
    workers send it)."""
    if sum(x is not None for x in (customer, openid, segment)) != 1:
        console.print("[red]请给出 --customer、--openid 或 --segment 之一[/red]")
        raise typer.Exit(2)
    from crm.errors import SiyuError

    settings = _settings(config)
    try:
        if segment is not None:
            emit(asyncio.run(_enqueue(settings, survey_id, segment)))
            return
        report = asyncio.run(_send(settings, survey_id, customer, openid))
    except SiyuError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    emit(report)
    if not report["sent"]:
        raise typer.Exit(1)


async def _send(
    settings: Any, survey_id: int, customer_id: int | None, openid: str | None
) -> dict[str, Any]:
    """One customer, now, through the customer-service message API."""
    from bot.wechat.errors import WeChatError
    from bot.worker import opened_resources
    from crm.errors import SurveyNotSent
    from crm.surveys.responses import get_survey
    from handlers.surveys import invite_and_send

    async with opened_resources(settings) as resources:
        await get_survey(survey_id)
        target = await _customer(customer_id, openid)
        outcome: dict[str, Any] = {"survey": survey_id, "sent": 0, "skipped": [], "failed": []}
        try:
            await invite_and_send(
                resources.store, resources.messenger, settings.surveys, survey_id, target,
                source="cli",
            )  # fmt: skip
            outcome["sent"] = 1
        except SurveyNotSent as exc:
            outcome["skipped"].append({"customer": target.id, "reason": str(exc)})
        except WeChatError as exc:
            outcome["failed"].append({"customer": target.id, "reason": type(exc).__name__})
            console.print(f"[yellow]客户 {target.id} 发送失败：{exc}[/yellow]")
        return outcome


async def _enqueue(settings: Any, survey_id: int, segment_id: int) -> dict[str, Any]:
    """A segment, through the campaign outbox: the workers of `siyu serve` / `siyu worker`
    send it within the campaign rules."""
    from bot.cli.data import CLI
    from crm.database import database
    from crm.surveys.outbox import send_to_segment

    async with database(settings.database_url):
        run = await send_to_segment(
            survey_id, segment_id, expiry_seconds=settings.surveys.expiry_seconds, actor=CLI,
            settings=settings.crm.campaigns,
        )  # fmt: skip
    return {"survey": survey_id, "run_id": run.run_id, "targeted": run.targeted}


async def _customer(customer_id: int | None, openid: str | None) -> Any:
    from crm.errors import NotFound
    from crm.models import Customer

    one = await Customer.get_or_none(**({"id": customer_id} if customer_id else {"openid": openid}))
    if one is None:
        raise NotFound(f"customer {customer_id or openid}")
    return one


@survey_app.command("results")
def results(
    survey_id: Annotated[int, typer.Argument(help="survey id")],
    config: Path | None = ConfigOption,
) -> None:
    """Responses, completion, NPS, CSAT, each question's distribution, free-text answers."""
    from crm.surveys.results import results as survey_results

    async def work() -> dict[str, Any]:
        return await survey_results(survey_id)

    emit(_run(config, work))
