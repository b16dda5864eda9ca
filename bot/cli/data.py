"""`siyu import`, `siyu export`, `siyu seed`: customer data in and out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from tortoise.exceptions import OperationalError

from bot.cli.app import ConfigOption, app
from bot.cli.startup import require_database
from bot.config import ConfigError, Settings, load_settings
from crm import currency
from crm.actors import Actor
from crm.database import close_database, open_database, sqlite_path
from crm.errors import SiyuError
from crm.pipl import config as privacy_config

console = Console(stderr=True)
T = TypeVar("T")
PARTIAL_EXIT = 3  # the import finished but some rows were rejected (see the error report)
NO_CONSENT = (
    "位客户没有营销同意记录（文件缺少 consent 列，或该列为空/否）：营销活动会跳过他们。"
    "如已取得同意，请补上 consent、consent_source、consent_date 三列后重新导入。"
)
CLI = Actor.system("cli")  # the operator at the terminal: what `siyu import` / `unmerge` write as


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    ORDERS = "orders"


class ExportKind(StrEnum):
    CUSTOMERS = "customers"


def _settings(config: Path | None) -> Settings:
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    privacy_config.configure(settings.privacy)  # a run started here checks consent as well
    return settings


def _run(config: Path | None, work: Callable[[], Awaitable[T]]) -> T:
    settings = _settings(config)
    url = settings.database_url
    currency.configure(settings.crm.currency)  # the rates total spent is summed with

    async def run() -> T:
        if sqlite_path(url) is None:
            await require_database(url)
        await open_database(url)
        try:
            return await work()
        finally:
            await close_database()

    try:
        return asyncio.run(run())
    except OperationalError as exc:
        console.print(f"[red]数据库错误：{exc}[/red]\n若提示缺少表，请先运行 `siyu migrate`。")
        raise typer.Exit(2) from None
    except SiyuError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _bytes_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console,
    )  # fmt: skip


def _count_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console,
    )  # fmt: skip


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="customers or orders")],
    file: Annotated[Path, typer.Argument(help="CSV file, UTF-8 (with or without BOM)")],
    errors: Annotated[
        Path | None, typer.Option(help="per-row error report (default: FILE.errors.csv)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=10, max=50_000)] = 1000,
    config: Path | None = ConfigOption,
) -> None:
    """Import customers or orders from CSV; safe to run again. Exit code 3: some rows rejected."""
    from crm.importing import import_customers, import_orders

    if not file.is_file():
        console.print(f"[red]找不到文件 {file}[/red]：请检查路径。")
        raise typer.Exit(2)
    error_file = errors or file.with_name(file.name + ".errors.csv")
    run = import_customers if kind is ImportKind.CUSTOMERS else import_orders
    with _bytes_progress() as progress:
        task = progress.add_task(f"导入{file.name}", total=file.stat().st_size)

        def advance(position: int) -> None:
            progress.update(task, completed=position)

        report = _run(config, lambda: run(file, error_file, batch_size, advance, actor=CLI))
        progress.update(task, completed=file.stat().st_size)
    console.print(
        f"共 {report.rows} 行：新增 {report.created}，更新 {report.updated}，"
        f"未变 {report.unchanged}，出错 {report.errors}"
    )
    if report.without_consent:  # PIPL: marketing reaches only customers with consent on record
        console.print(f"[yellow]{report.without_consent} {NO_CONSENT}[/yellow]")
    if report.errors:
        for error in report.first_errors[:10]:
            console.print(f"  第 {error.line} 行 {error.field}：{error.reason}")
        console.print(f"全部错误见 {error_file}；改正后重新导入即可（已导入的行不会重复）。")
        raise typer.Exit(PARTIAL_EXIT)
    error_file.unlink(missing_ok=True)


@app.command("export")
def export(
    kind: Annotated[ExportKind, typer.Argument(help="customers")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write")],
    segment: Annotated[int | None, typer.Option(help="segment id (default: everyone)")] = None,
    full_phone: Annotated[
        bool, typer.Option(help="write full phone numbers and names instead of masked ones")
    ] = False,
    config: Path | None = ConfigOption,
) -> None:
    """Export customers (of a segment) to CSV for Excel, masked by default."""
    from crm.exporting import export_customers, selection_count

    with _count_progress() as progress:
        task = progress.add_task("导出客户", total=None)

        async def work() -> int:
            progress.update(task, total=await selection_count(segment))
            return await export_customers(
                output, segment, not full_phone, on_progress=lambda n: progress.advance(task, n)
            )

        written = _run(config, work)
    console.print(f"已导出 {written} 位客户到 {output}")


@app.command("seed")
def seed(
    customers: Annotated[int, typer.Option(min=1, help="how many customers to add")] = 1000,
    random_seed: Annotated[int, typer.Option(help="same seed, same data")] = 42,
    config: Path | None = ConfigOption,
) -> None:
    """Add synthetic customers, orders, messages, tags and points, then score them (RFM,
    lifecycle) so segments have something to select."""
    from crm.nightly import run_nightly
    from crm.seed import SeedResult
    from crm.seed import seed as run_seed

    crm_settings = _settings(config).crm
    with _count_progress() as progress:
        task = progress.add_task("生成演示数据", total=customers)

        async def work() -> SeedResult:
            result = await run_seed(
                customers, random_seed, on_progress=lambda n: progress.advance(task, n)
            )
            progress.update(task, description="计算 RFM 与生命周期")
            await run_nightly(crm_settings, actor=CLI)
            return result

        result = _run(config, work)
    console.print(
        f"已生成 {result.customers} 位客户、{result.orders} 笔订单、"
        f"{result.interactions} 条消息、{result.tags} 个标签、{result.points_entries} 条积分"
    )


@app.command("merges")
def merges(
    customer: Annotated[int | None, typer.Option(help="only merges of this customer id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    config: Path | None = ConfigOption,
) -> None:
    """List the latest customer merges (newest first), to find the id `siyu unmerge` needs."""
    from crm.merge import list_merges

    found = _run(config, lambda: list_merges(customer, limit))
    if not found:
        console.print("没有找到合并记录。")
        return
    for m in found:
        state = f"已撤销 {m.unmerged_at[:19].replace('T', ' ')}" if m.unmerged_at else "生效中"
        console.print(
            f"合并记录 {m.id}：客户 {m.merged_id} → 客户 {m.survivor_id}（依据 {m.reason}，"
            f"{m.created_at:%Y-%m-%d %H:%M}，{state}）"
        )


@app.command("unmerge")
def unmerge(
    merge_id: Annotated[int, typer.Argument(help="merge record id (see `siyu merges`)")],
    by: Annotated[str | None, typer.Option(help="who undoes it, kept with the record")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Undo a customer merge: the merged-away customer comes back with its identifiers,
    messages, tags, points and orders; totals are recomputed on both. Once per merge."""
    from crm.merge import unmerge as undo

    result = _run(config, lambda: undo(merge_id, by, actor=CLI))
    moved = result.moved_back
    console.print(
        f"已撤销合并记录 {merge_id}：客户 {result.restored_id} 已恢复，并从客户 "
        f"{result.survivor_id} 移回 {moved['interactions']} 条消息、{moved['orders']} 笔订单、"
        f"{moved['points']} 条积分流水、{moved['tags']} 个标签。"
    )
    if result.kept_on_survivor:
        console.print(
            f"客户 {result.survivor_id} 合并后修改过的字段保持不变，请人工核对："
            + "、".join(result.kept_on_survivor)
        )
