"""Surveys sent after an event (a complaint resolved, a first order), chosen in config
`surveys.after`. The domain cannot push WeChat messages itself (crm imports no bot/): the
process installs the sender at start-up (handlers.surveys.install_triggers), and the
complaint or order code calls the event function."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from crm.errors import SurveyNotSent
from crm.surveys.config import SurveySettings

log = logging.getLogger("siyu.surveys")

# (survey_id, customer_id, source): the invitation sent and the chat put in the survey
Send = Callable[[int, int, str], Awaitable[object]]


@dataclass(slots=True)
class _Installed:
    settings: SurveySettings | None = None
    send: Send | None = None


_installed = _Installed()


def install(settings: SurveySettings, send: Send) -> None:
    _installed.settings, _installed.send = settings, send


def uninstall() -> None:
    _installed.settings = _installed.send = None


async def on_complaint_resolved(customer_id: int) -> None:
    """The configured satisfaction survey, after a complaint of this customer was resolved."""
    await _on_event("complaint_resolved", customer_id)


async def on_first_order(customer_id: int) -> None:
    await _on_event("first_order", customer_id)


async def _on_event(event: str, customer_id: int) -> None:
    settings, send = _installed.settings, _installed.send
    if settings is None or send is None:
        log.warning("survey trigger %s for customer %s: no sender installed", event, customer_id)
        return
    survey_id = getattr(settings.after, event)
    if survey_id is None:
        return
    try:
        await send(survey_id, customer_id, event)
    except SurveyNotSent as exc:  # not reachable or already answering: the event goes on
        log.info("survey %s after %s not sent: %s", survey_id, event, exc)
