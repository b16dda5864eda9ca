"""From a claimed batch to messages ready to send: campaign renderers, render scopes, service
windows and the channel of each delivery — a few set-based queries per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crm.campaigns import quiet_hours
from crm.campaigns.claims import ClaimedDelivery
from crm.campaigns.render import CampaignRenderer, RenderScope, scopes
from crm.campaigns.windows import service_windows
from crm.clock import Clock
from crm.errors import RenderFailed
from crm.models import Campaign, SendChannel
from scheduler.dispatch.choice import choose
from scheduler.dispatch.sending import Prepared


@dataclass
class PreparedBatch:
    sends: list[Prepared] = field(default_factory=list)
    tasks: list[Prepared] = field(default_factory=list)
    skipped: list[tuple[ClaimedDelivery, str]] = field(default_factory=list)
    failed: list[tuple[ClaimedDelivery, str]] = field(default_factory=list)
    deferred: list[tuple[ClaimedDelivery, datetime]] = field(default_factory=list)


class Renderers:
    """One compiled renderer per campaign, rebuilt when the campaign changed."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[datetime, CampaignRenderer]] = {}

    async def get(self, campaign: Campaign) -> CampaignRenderer:
        cached = self._cache.get(campaign.id)
        if cached is not None and cached[0] == campaign.updated_at:
            return cached[1]
        renderer = await CampaignRenderer.load(campaign)
        self._cache[campaign.id] = (campaign.updated_at, renderer)
        return renderer


def _by_campaign(batch: Sequence[ClaimedDelivery]) -> dict[int, list[ClaimedDelivery]]:
    grouped: dict[int, list[ClaimedDelivery]] = defaultdict(list)
    for delivery in batch:
        grouped[delivery.campaign_id].append(delivery)
    return grouped


def _template(renderer: CampaignRenderer, scope: RenderScope) -> dict | None:
    try:
        return renderer.template_data(scope)
    except RenderFailed:
        return None


def _prepared(
    delivery: ClaimedDelivery, channel: SendChannel, renderer: CampaignRenderer,
    scope: RenderScope, survey: bool,
) -> Prepared:  # fmt: skip
    """Raises RenderFailed when the channel's own message does not render."""
    text = renderer.text(delivery.step, scope)
    if channel is SendChannel.TEMPLATE:
        data = renderer.template_data(scope)
    else:
        data = _template(renderer, scope) if channel is SendChannel.CUSTOMER_SERVICE else None
    return Prepared(
        delivery, channel, text, renderer.template_id, renderer.template_url, data, survey
    )


def _quiet_until(campaign: Campaign, now: datetime) -> datetime | None:
    """The end of the campaign's quiet hours when `now` is inside them: the enqueue set due_at
    outside them, but a long run (or a backlog) can still reach 22:00 while sending."""
    allowed = quiet_hours.next_allowed(
        now, campaign.quiet_start, campaign.quiet_end, campaign.timezone
    )
    return allowed if allowed > now else None


async def prepare(
    batch: Sequence[ClaimedDelivery], renderers: Renderers, *, clock: Clock
) -> PreparedBatch:
    out = PreparedBatch()
    grouped = _by_campaign(batch)
    campaigns = {c.id: c for c in await Campaign.filter(id__in=list(grouped))}
    windows = await service_windows([d.customer_id for d in batch], clock=clock)
    now = clock.now()
    for campaign_id, deliveries in grouped.items():
        campaign = campaigns[campaign_id]
        if (allowed := _quiet_until(campaign, now)) is not None:
            out.deferred.extend((d, allowed) for d in deliveries)
            continue
        renderer = await renderers.get(campaign)
        coupons = {d.customer_id: d.coupon_code for d in deliveries if d.coupon_code}
        found = await scopes([d.customer_id for d in deliveries], campaign, coupons, clock=clock)
        for delivery in deliveries:
            has_template = renderer.template_id is not None
            picked = choose(
                delivery, windows.get(delivery.customer_id), has_template=has_template, now=now
            )
            if picked.channel is None:
                out.skipped.append((delivery, str(picked.skip)))
                continue
            try:
                scope = found[delivery.customer_id]
                survey = campaign.survey_id is not None
                item = _prepared(delivery, picked.channel, renderer, scope, survey)
            except RenderFailed as exc:
                out.failed.append((delivery, f"render_failed: {exc.reason}"))
                continue
            (out.tasks if picked.channel is SendChannel.WECOM_TASK else out.sends).append(item)
    return out
