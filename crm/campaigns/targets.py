"""Which customers a campaign's run is for: the campaign's segment (a saved segment or an inline
rule; every customer without either) AND its kind's condition on the run date, as ONE
SELECT of customer ids.

- birthday: birthdays on run_date + days_before, solar and 农历, by crm.birthdays' rules: a
  29 February birthday is celebrated on 28 February in common years; a lunar day 30 on day 29
  of a short month; a birthday in a lunar leap month in the ordinary month of that number.
- points: a balance milestone (`milestones: [1000, 5000]`) newly reached (one message per
  milestone), else points expiring within `expiring_within_days` (at most one reminder per
  that many days). An `earn_threshold` campaign is event-triggered (crm.campaigns.triggers).
- winback: step 1, inactive `inactive_days` (a known last activity that old) or lifecycle
  at_risk / churned, and not messaged by this campaign since their last activity; step 2,
  step 1 SENT at least `second_after_days` ago with no inbound interaction since (a customer
  who came back leaves the flow), once per step-1 message.
- holiday, custom: the segment (the scheduler decides the date is a holiday).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from crm import birthdays
from crm.campaigns.query import Query, in_list, of_members, q
from crm.clock import Clock
from crm.config import CampaignSettings
from crm.models import Campaign, CampaignKind, Segment
from crm.segments.compiler import RuleContext
from crm.segments.service import rule_members, segment_members
from crm.sql import dialect

# Every customer, merged-away ones included, so the outbox records them as skipped (merged).
# A segment leaves merged-away customers out already: they are not targeted at all.
_EVERYONE = Query('SELECT "id" FROM "customer"')
# Deliveries that reached (or will reach) the customer: they count as "messaged".
_CONTACTED = "d.status IN ('pending', 'waiting', 'sent')"


async def segment_ids(campaign: Campaign, clock: Clock) -> Query:
    ctx = RuleContext(now=clock.now(), timezone=campaign.timezone, dialect=dialect())
    if campaign.segment_id is not None:  # type: ignore[attr-defined]
        segment = await Segment.get(id=campaign.segment_id)  # type: ignore[attr-defined]
        return of_members(segment_members(segment, ctx))
    if campaign.rule:
        return of_members(rule_members(campaign.rule, ctx))
    return _EVERYONE


async def target_ids(
    campaign: Campaign, *, run_date: date, step: int, clock: Clock, settings: CampaignSettings
) -> Query:
    """SELECT "id" of the customers of this run (before opt-out, cap and reachability)."""
    segment = await segment_ids(campaign, clock)
    condition = kind_condition(campaign, run_date, step, clock.now(), settings)
    if condition is None:
        return segment
    joined = Query(') s JOIN "customer" c ON c."id" = s."id" WHERE ')
    return Query('SELECT s."id" FROM (') + segment + joined + condition


def for_customer(segment: Query, customer_id: int) -> Query:
    """The segment narrowed to one customer (an event-triggered delivery)."""
    return Query('SELECT s."id" FROM (') + segment + q(') s WHERE s."id" = ?', customer_id)


def kind_condition(
    campaign: Campaign, run_date: date, step: int, now: datetime, s: CampaignSettings
) -> Query | None:
    """The kind's condition on customer `c`, or None for none (holiday, custom)."""
    options: dict[str, Any] = campaign.options or {}
    if campaign.kind is CampaignKind.BIRTHDAY:
        return birthday_condition(run_date + timedelta(days=days_before(campaign)))
    if campaign.kind is CampaignKind.POINTS:
        return points_condition(campaign.id, options, now, s)
    if campaign.kind is CampaignKind.WINBACK:
        return winback_condition(campaign.id, options, step, now, s)
    return None


def days_before(campaign: Campaign) -> int:
    birthday = (campaign.schedule or {}).get("birthday") or {}
    return int(birthday.get("days_before") or 0)


def birthday_condition(day: date) -> Query:
    keys = birthdays.keys_between(day, day)
    solar = Query("(c.\"birthday_calendar\" = 'solar' AND ") + in_list(
        'c."birthday_md"', sorted(keys.solar)
    )
    lunar = Query(") OR (c.\"birthday_calendar\" = 'lunar' AND ") + in_list(
        'c."birthday_md"', sorted(keys.lunar)
    )
    return Query("(") + solar + lunar + Query("))")


def points_condition(
    campaign_id: int, options: dict[str, Any], now: datetime, s: CampaignSettings
) -> Query:
    milestones = sorted(int(m) for m in options.get("milestones") or [])
    if milestones:
        return milestone_condition(campaign_id, milestones)
    days = int(options.get("expiring_within_days") or s.expiring_within_days)
    return expiring_condition(campaign_id, now, days)


def milestone_condition(campaign_id: int, milestones: list[int]) -> Query:
    """More milestones reached than this campaign has messaged the customer about."""
    reached = " + ".join('CASE WHEN c."points_balance" >= ? THEN 1 ELSE 0 END' for _ in milestones)
    told = (
        'SELECT COUNT(*) FROM "campaign_delivery" d WHERE d."customer_id" = c."id" '
        f'AND d."campaign_id" = ? AND {_CONTACTED}'
    )
    sql = f"({reached}) > ({told})"
    return q(sql, *milestones, campaign_id)


def expiring_condition(campaign_id: int, now: datetime, days: int) -> Query:
    expiring = q(
        'EXISTS (SELECT 1 FROM "points_entry" e WHERE e."customer_id" = c."id" '
        'AND e."remaining" > 0 AND e."expires_at" > ? AND e."expires_at" <= ?)',
        now, now + timedelta(days=days),
    )  # fmt: skip
    return expiring + Query(" AND ") + _not_messaged_since(campaign_id, now - timedelta(days=days))


def _not_messaged_since(campaign_id: int, since: datetime) -> Query:
    return q(
        'NOT EXISTS (SELECT 1 FROM "campaign_delivery" d WHERE d."customer_id" = c."id" '
        f'AND d."campaign_id" = ? AND {_CONTACTED} AND d."created_at" >= ?)',
        campaign_id, since,
    )  # fmt: skip


def winback_condition(
    campaign_id: int, options: dict[str, Any], step: int, now: datetime, s: CampaignSettings
) -> Query:
    days = int(options.get("inactive_days") or s.inactive_days)
    lapsed = q(
        '((c."last_active_at" IS NOT NULL AND c."last_active_at" < ?) '
        "OR c.\"lifecycle_stage\" IN ('at_risk', 'churned'))",
        now - timedelta(days=days),
    )
    if step == 1:
        return lapsed + Query(" AND ") + _not_messaged_since_active(campaign_id)
    after = int(options.get("second_after_days") or s.second_after_days)
    return lapsed + Query(" AND ") + second_step(campaign_id, now - timedelta(days=after))


def _not_messaged_since_active(campaign_id: int) -> Query:
    """Not in the flow already: no message of this campaign since their last activity."""
    return q(
        'NOT EXISTS (SELECT 1 FROM "campaign_delivery" d WHERE d."customer_id" = c."id" '
        f'AND d."campaign_id" = ? AND {_CONTACTED} AND (c."last_active_at" IS NULL '
        'OR d."created_at" >= c."last_active_at"))',
        campaign_id,
    )


_SECOND = """EXISTS (SELECT 1 FROM "campaign_delivery" d
  JOIN "campaign_run" r ON r."id" = d."run_id" AND r."step" = 1
  WHERE d."customer_id" = c."id" AND d."campaign_id" = ? AND d."status" = 'sent'
    AND d."sent_at" <= ?
    AND NOT EXISTS (SELECT 1 FROM "interaction" i WHERE i."customer_id" = c."id"
      AND i."direction" = 'in' AND i."created_at" > d."sent_at")
    AND NOT EXISTS (SELECT 1 FROM "campaign_delivery" d2
      JOIN "campaign_run" r2 ON r2."id" = d2."run_id" AND r2."step" = 2
      WHERE d2."customer_id" = c."id" AND d2."campaign_id" = d."campaign_id"
        AND d2."status" IN ('pending', 'waiting', 'sent') AND d2."created_at" > d."sent_at"))"""


def second_step(campaign_id: int, sent_before: datetime) -> Query:
    """Step 1 sent long enough ago, nothing from the customer since, no step 2 for it yet."""
    return q(_SECOND, campaign_id, sent_before)
