"""The `siyu` command: one typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="siyu",
    help="siyu (私域): a chat-native engagement bot for WeChat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ConfigOption = typer.Option(None, "--config", help="config.yaml path (or SIYU_CONFIG)")
