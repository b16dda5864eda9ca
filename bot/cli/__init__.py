"""`siyu` console script."""

from __future__ import annotations

from bot.cli import data, demo, fake, nlp, server, worker  # noqa: F401  (each module registers its commands)
from bot.cli.app import app

app.add_typer(nlp.nlp_app, name="nlp")


def main() -> None:
    app()
