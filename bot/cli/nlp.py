"""`siyu nlp ...`: text analysis from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.app import ConfigOption
from bot.config import ConfigError, load_settings

nlp_app = typer.Typer(help="Text analysis: analyze messages, train the sentiment model.")


@nlp_app.command("analyze")
def analyze(
    texts: Annotated[
        list[str] | None, typer.Argument(help="messages; none: one per line of stdin")
    ] = None,
    config: Path | None = ConfigOption,
    explain: Annotated[bool, typer.Option(help="add intent_reason: the rule or signal")] = False,
) -> None:
    """One JSON object per message on stdout (the `nlp:` configuration; no database)."""
    import nlp

    try:
        nlp.configure(load_settings(config).nlp)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    lines = texts if texts else (line.rstrip("\r\n") for line in sys.stdin)
    for line in lines:
        if line.strip():
            typer.echo(json.dumps(nlp.analyze(line).to_json(explain), ensure_ascii=False))


@nlp_app.command("train")
def train(
    out: Annotated[
        Path | None, typer.Option(help="weights file to write (default: the shipped one)")
    ] = None,
    baselines: Annotated[bool, typer.Option(help="also evaluate the baseline models")] = False,
) -> None:
    """Train the sentiment model reproducibly (needs the `train` extra); print the evaluation."""
    from nlp.training.cli import main

    main(out, baselines)
