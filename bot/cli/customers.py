"""`siyu customer erase ID | export ID`: a person's PIPL rights from the terminal, as the
operator (`system:cli`, as `siyu import` writes). Both print JSON on stdout and are audited."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import ConfigOption
from bot.cli.data import CLI, _run, _settings, console
from bot.cli.segments import emit

customer_app = typer.Typer(help="One person's data (PIPL): export, erase.", no_args_is_help=True)
CustomerId = Annotated[int, typer.Argument(min=1, help="customer id")]


@customer_app.command("erase")
def erase(customer_id: CustomerId, config: Path | None = ConfigOption) -> None:
    """Erase the person's personal data (idempotent); prints what was erased, never the data."""
    from crm.errors import SiyuError

    try:
        emit(asyncio.run(_erase(_settings(config), customer_id)))
    except SiyuError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


async def _erase(settings: Any, customer_id: int) -> dict[str, Any]:
    from bot.worker import opened_resources
    from handlers.erasure import erase_person

    async with opened_resources(settings) as resources:
        outcome = await erase_person(customer_id, actor=CLI, store=resources.store,
                                     messenger=resources.messenger)  # fmt: skip
    erased = outcome.erased
    return {"customer_id": erased.customer_id, "records": list(erased.record_ids),
            "already": erased.already, "customer_told": outcome.told}  # fmt: skip


@customer_app.command("export")
def export(customer_id: CustomerId, config: Path | None = ConfigOption) -> None:
    """Everything held about the person, as JSON on stdout (unmasked: keep it safe)."""
    emit(_run(config, lambda: _export(customer_id)))


async def _export(customer_id: int) -> dict[str, Any]:
    from crm import audit
    from crm.pipl import export as pipl_export
    from crm.transactions import in_transaction

    held = await pipl_export.export_customer(customer_id)
    async with in_transaction() as tx:
        await audit.record(CLI, pipl_export.ACTION, "customer", held["customer_id"], conn=tx)
    return held
