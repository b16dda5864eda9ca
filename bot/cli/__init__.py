"""`siyu` console script."""

from __future__ import annotations

from bot.cli import (  # noqa: F401  (each module registers its commands)
    admin,
    campaigns,
    data,
    demo,
    fake,
    nlp,
    reports,
    segments,
    server,
    surveys,
    worker,
)
from bot.cli.app import app
from bot.cli.customers import customer_app

app.add_typer(nlp.nlp_app, name="nlp")
app.add_typer(segments.segment_app, name="segment")
app.add_typer(campaigns.campaign_app, name="campaign")
app.add_typer(surveys.survey_app, name="survey")
app.add_typer(admin.admin_app, name="admin")
app.add_typer(reports.report_app, name="report")
app.add_typer(customer_app, name="customer")


def main() -> None:
    app()
