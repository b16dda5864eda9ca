"""`siyu segment create|count`: save a segment from a rule file, count a segment or a rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import ConfigOption
from bot.cli.data import CLI, _run, console

segment_app = typer.Typer(help="Customer segments (JSON rules).", no_args_is_help=True)


def read_json(path: Path) -> Any:
    """A JSON file, or exit 2 with one line saying what is wrong with it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        console.print(f"[red]无法读取 {path}：{exc.strerror}[/red]")
    except json.JSONDecodeError as exc:
        console.print(f"[red]{path} 不是有效的 JSON（第 {exc.lineno} 行）：{exc.msg}[/red]")
    raise typer.Exit(2)


def emit(value: Any) -> None:
    """JSON on stdout, for tools; everything else goes to stderr."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@segment_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="segment name (unique)")],
    rule: Annotated[Path, typer.Option("--rule", help="rule file, JSON")],
    description: Annotated[str | None, typer.Option(help="what the segment is for")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Save a dynamic segment; prints {"id": …}."""
    from crm.segments import create_segment

    parsed = read_json(rule)

    async def work() -> int:
        return (await create_segment(name, parsed, description, actor=CLI)).id

    emit({"id": _run(config, work)})


@segment_app.command("count")
def count(
    segment_id: Annotated[int | None, typer.Argument(help="segment id")] = None,
    rule: Annotated[Path | None, typer.Option("--rule", help="or a rule file, JSON")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """How many customers a segment (or a rule) selects now; prints {"count": …}."""
    from crm import segments

    if (segment_id is None) == (rule is None):
        console.print("[red]请给出分群编号，或 --rule 规则文件（二选一）[/red]")
        raise typer.Exit(2)
    parsed = read_json(rule) if rule is not None else None

    async def work() -> int:
        if parsed is not None:
            return await segments.count(segments.rule_members(parsed))
        segment = await segments.get_segment(segment_id or 0)
        return await segments.count(segments.segment_members(segment))

    emit({"count": _run(config, work)})
