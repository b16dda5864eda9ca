"""What a dry run would send: per delivery the masked customer, the likely channel, the
rendered text or why it is skipped. For staff screens, so names and phones are masked.

The channel is a guess from the data at hand (a message from the customer within 48 h: the
customer-service message; else a template message if the campaign maps one and the customer
follows; else a WeCom task if a staff member added them); the dispatcher decides at send
time, with the windows' quotas, which a preview does not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crm.campaigns.render import CampaignRenderer, scopes
from crm.clock import Clock
from crm.errors import RenderFailed
from crm.models.campaigns import Campaign, CampaignDelivery, DeliveryStatus, SendChannel
from crm.phones import mainland_digits
from crm.privacy import mask_birthday, mask_name, mask_phone
from crm.sql import as_datetime, fetch, marks

SERVICE_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class PreviewRow:
    customer_id: int
    name: str | None
    phone: str | None
    status: str
    channel: str | None
    reason: str | None
    text: str | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


_REACH = """
SELECT c.id AS id, c.display_name AS name, c.phone AS phone, c.subscribed AS subscribed,
       c.birthday AS birthday,
       c.external_userid AS external_userid, c.follow_user AS follow_user,
       (SELECT MAX(i.created_at) FROM interaction i WHERE i.customer_id = c.id
        AND i.direction = 'in' AND i.kind NOT LIKE 'event:%') AS last_message_at
FROM customer c WHERE c.id IN ({ids})
"""


async def preview_run(
    run_id: int, campaign: Campaign, *, limit: int, clock: Clock, unmasked: bool = False
) -> list[PreviewRow]:
    """The first `limit` deliveries of a (dry) run, in customer order; names and phones
    masked, in the rendered texts too, unless `unmasked` (a role that may see them: the
    caller audits that read)."""
    deliveries = await CampaignDelivery.filter(run_id=run_id).order_by("customer_id").limit(limit)
    ids = [d.customer_id for d in deliveries]  # type: ignore[attr-defined]
    if not ids:
        return []
    reach = {r["id"]: r for r in await fetch(_REACH.format(ids=marks(len(ids))), ids)}
    renderer = await CampaignRenderer.load(campaign)
    found = await scopes(ids, campaign, {}, clock=clock)
    rows = []
    for d in deliveries:
        customer = reach[d.customer_id]  # type: ignore[attr-defined]
        row = _row(d, customer, renderer, found.get(customer["id"]), clock.now())
        rows.append(row if unmasked else _masked(row, customer))
    return rows


def _row(
    d: CampaignDelivery, customer: dict[str, Any], renderer: CampaignRenderer, scope: Any,
    now: datetime,
) -> PreviewRow:  # fmt: skip
    name, phone = customer["name"], customer["phone"]
    if d.status is DeliveryStatus.SKIPPED:
        return PreviewRow(customer["id"], name, phone, "skipped", None, d.reason, None)
    channel = guess_channel(customer, renderer.template_id is not None, now)
    if channel is None:
        return PreviewRow(customer["id"], name, phone, "skipped", None, "unreachable", None)
    try:
        text = renderer.text(1, scope)
    except RenderFailed as exc:
        return PreviewRow(customer["id"], name, phone, "failed", channel, exc.reason, None)
    return PreviewRow(customer["id"], name, phone, "would_send", channel, None, text)


def _masked(row: PreviewRow, customer: dict[str, Any]) -> PreviewRow:
    """The name and phone masked, also where the rendered text greets by them."""
    text = row.text
    for raw, masked in ((customer["name"], mask_name), (customer["phone"], mask_phone)):
        if raw and text:
            text = text.replace(raw, masked(raw) or "")
    if customer["phone"] and text:
        digits = mainland_digits(customer["phone"])
        text = text.replace(digits, mask_phone(digits) or "")
    if customer["birthday"] and text:  # a template may greet with {{ customer.birthday }}
        text = text.replace(str(customer["birthday"])[:10], mask_birthday(None))
    name, phone = mask_name(row.name), mask_phone(row.phone)
    return PreviewRow(row.customer_id, name, phone, row.status, row.channel, row.reason, text)


def guess_channel(customer: dict[str, Any], maps_template: bool, now: datetime) -> str | None:
    last = customer["last_message_at"]
    if last is not None and now - as_datetime(last) < SERVICE_WINDOW:
        return SendChannel.CUSTOMER_SERVICE.value
    if maps_template and customer["subscribed"]:
        return SendChannel.TEMPLATE.value
    if customer["external_userid"] and customer["follow_user"]:
        return SendChannel.WECOM_TASK.value
    return None
