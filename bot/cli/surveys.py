"""`siyu survey create|send|results`: define a survey from a YAML/JSON file, send it to one
customer or a segment through the customer-service message API, read its results."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
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
    """Invite customers; prints {"sent": …, "skipped": [...], "failed": [...]}."""
    if sum(x is not None for x in (customer, openid, segment)) != 1:
        console.print("[red]请给出 --customer、--openid 或 --segment 之一[/red]")
        raise typer.Exit(2)
    from crm.errors import SiyuError

    settings = _settings(config)
    try:
        report = asyncio.run(_send(settings, survey_id, customer, openid, segment))
    except SiyuError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    emit(report)
    if not report["sent"]:
        raise typer.Exit(1)


async def _send(
    settings: Any, survey_id: int, customer_id: int | None, openid: str | None,
    segment_id: int | None,
) -> dict[str, Any]:  # fmt: skip
    from bot.worker import opened_resources
    from crm.surveys.responses import get_survey

    async with opened_resources(settings) as resources:
        await get_survey(survey_id)
        outcome: dict[str, Any] = {"survey": survey_id, "sent": 0, "skipped": [], "failed": []}
        async for batch in _targets(customer_id, openid, segment_id):
            for target in batch:
                await _send_one(settings, resources, survey_id, target, segment_id, outcome)
        return outcome


async def _targets(
    customer_id: int | None, openid: str | None, segment_id: int | None
) -> AsyncIterator[list[Any]]:
    """The segment's members in batches (one query each), or the one customer."""
    from crm import segments
    from crm.errors import NotFound
    from crm.models import Customer

    if segment_id is not None:
        found = segments.segment_queryset(await segments.get_segment(segment_id))
        async for batch in segments.iter_customers(found):
            yield batch
        return
    one = await Customer.get_or_none(**({"id": customer_id} if customer_id else {"openid": openid}))
    if one is None:
        raise NotFound(f"customer {customer_id or openid}")
    yield [one]


async def _send_one(
    settings: Any, resources: Any, survey_id: int, customer: Any, segment_id: int | None,
    outcome: dict[str, Any],
) -> None:  # fmt: skip
    from bot.wechat.errors import WeChatError
    from crm.errors import SurveyNotSent
    from handlers.surveys import invite_and_send

    source = "segment" if segment_id is not None else "cli"
    try:
        await invite_and_send(
            resources.store, resources.messenger, settings.surveys, survey_id, customer,
            source=source, marketing=segment_id is not None,
        )  # fmt: skip
        outcome["sent"] += 1
    except SurveyNotSent as exc:
        outcome["skipped"].append({"customer": customer.id, "reason": str(exc)})
    except WeChatError as exc:
        outcome["failed"].append({"customer": customer.id, "reason": type(exc).__name__})
        console.print(f"[yellow]客户 {customer.id} 发送失败：{exc}[/yellow]")


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
