"""`siyu nlp ...`: text analysis from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

nlp_app = typer.Typer(help="Text analysis: analyze messages, train the sentiment model.")


@nlp_app.command("analyze")
def analyze(
    texts: Annotated[
        list[str] | None, typer.Argument(help="messages; none: one per stdin line")
    ] = None,
) -> None:
    """Analyze messages: one JSON object per line on stdout (default config, no database)."""
    import nlp

    lines = texts if texts else (line.rstrip("\r\n") for line in sys.stdin)
    for line in lines:
        if line.strip():
            typer.echo(json.dumps(nlp.analyze(line).to_json(), ensure_ascii=False))


@nlp_app.command("train")
def train(
    out: Annotated[
        Path | None, typer.Option(help="weights file (default: the shipped one)")
    ] = None,
    baselines: Annotated[bool, typer.Option(help="also evaluate the baseline models")] = False,
) -> None:
    """Train the sentiment model reproducibly (needs the `train` extra) and print the evaluation."""
    from nlp.training.cli import main

    main(out, baselines)
