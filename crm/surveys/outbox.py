"""A survey sent to a segment through the campaign outbox, so the campaign sending rules apply
(opt-outs, quiet hours, the frequency cap, the 48-hour window, the rate limit, retries).

The survey becomes a draft custom campaign (the scheduler never fires a draft) whose text is
the invitation, started once as a manual run. When the dispatcher records a delivery of such
a campaign as sent, `started` creates the customer's response: from then on the customer's
next message answers the first question (handlers/surveys.py finds a live response in the
database when the chat state is not in the store — the dispatcher does not write it).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from zoneinfo import ZoneInfo

from crm.actors import Actor
from crm.campaigns.runs import RunOutcome, start_run
from crm.campaigns.service import create_campaign
from crm.campaigns.spec import parse_spec
from crm.clock import SYSTEM_CLOCK, Clock
from crm.config import CampaignSettings
from crm.models import Campaign, SurveyResponse
from crm.models.surveys import ResponseStatus
from crm.surveys.questions import invitation_text
from crm.surveys.responses import ACTIVE, forget_none_live, get_survey, questions_of

log = logging.getLogger("siyu.surveys")
EXPIRY_OPTION = "survey_expiry_seconds"


async def send_to_segment(
    survey_id: int, segment_id: int, *, expiry_seconds: float, actor: Actor,
    settings: CampaignSettings | None = None, clock: Clock = SYSTEM_CLOCK,
) -> RunOutcome:  # fmt: skip
    """Enqueue the survey's invitation for the segment; the workers send it."""
    survey, questions = await get_survey(survey_id), await questions_of(survey_id)
    now = clock.now()
    text = invitation_text(survey.intro, questions[0], len(questions))
    spec = parse_spec({
        "name": f"问卷{survey.id}·{now:%Y%m%d%H%M%S%f}"[:64], "kind": "custom", "status": "draft",
        "segment_id": segment_id, "text": f"{{% raw %}}{text}{{% endraw %}}",
        "schedule": {"at": now.isoformat()},
    })  # fmt: skip
    campaign = await create_campaign(spec, actor=actor)
    options = {**campaign.options, EXPIRY_OPTION: expiry_seconds}
    await Campaign.filter(id=campaign.id).update(survey_id=survey.id, options=options)
    local = now.astimezone(ZoneInfo(campaign.timezone)).date()
    key = f"survey:{now:%Y%m%dT%H%M%S.%f}"
    return await start_run(campaign.id, run_date=local, run_key=key, clock=clock, settings=settings)


SentTo = tuple[int, int]  # (campaign id, customer id) of a survey delivery recorded sent


async def started(sent: Collection[SentTo], *, clock: Clock = SYSTEM_CLOCK) -> int:
    """Responses for survey deliveries just recorded sent; returns how many were started.
    Called by the dispatcher's sent writer with only its survey campaigns' sends (it knows
    them from the campaign it rendered): ordinary sends cost nothing here. A failure is
    logged and never fails the sends (they went out)."""
    if not sent:
        return 0
    try:
        return await _started(sent, clock)
    except Exception:
        log.exception("survey responses for %d sent deliveries not started", len(sent))
        return 0


async def _started(sent: Collection[SentTo], clock: Clock) -> int:
    """A customer already answering a survey is left to finish it."""
    campaigns = await _surveys_of({campaign_id for campaign_id, _ in sent})
    count = 0
    for campaign_id, customer_id in sent:
        if (campaign := campaigns.get(campaign_id)) is not None:
            count += await _start(campaign, customer_id, clock)
    return count


async def _surveys_of(campaign_ids: set[int]) -> dict[int, Campaign]:
    return {c.id: c for c in await Campaign.filter(id__in=campaign_ids, survey_id__isnull=False)}


async def _start(campaign: Campaign, customer_id: int, clock: Clock) -> int:
    live = SurveyResponse.filter(customer_id=customer_id, status__in=ACTIVE)
    if await live.filter(expires_at__gt=clock.now()).exists():
        log.info("customer %s is answering a survey: campaign %s's waits", customer_id, campaign.id)
        return 0
    survey_id = campaign.survey_id
    assert survey_id is not None
    first = (await questions_of(survey_id))[0]
    expiry = float(campaign.options.get(EXPIRY_OPTION, 24 * 3600))
    now = clock.now()
    forget_none_live()  # only this process: the one the customer's answer reaches may wait 2 s
    await SurveyResponse.create(
        survey_id=survey_id, customer_id=customer_id, status=ResponseStatus.INVITED,
        current=first.position, source="segment", invited_at=now,
        expires_at=now + timedelta(seconds=expiry),
    )  # fmt: skip
    return 1
