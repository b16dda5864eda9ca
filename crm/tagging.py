"""Tags applied to customers from what they write (keyword, intent, sentiment) and by staff."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from crm.interactions import utcnow
from crm.models import Customer, CustomerTag, Interaction, Tag
from nlp import Analysis, SentimentLabel, TagHit, TagSource, at_risk_by_sentiment
from nlp.config import NlpSettings

log = logging.getLogger("siyu.tagging")
_tag_ids: dict[str, int] = {}


async def tag_id(name: str) -> int:
    cached = _tag_ids.get(name)
    if cached is None:
        tag, _ = await Tag.get_or_create(name=name[:64])
        cached = _tag_ids[name] = tag.id
    return cached


async def apply(customer_id: int, hits: Iterable[TagHit]) -> list[str]:
    """Give the customer these tags (first source wins); returns the ones that are new."""
    added = []
    for hit in hits:
        try:
            _, created = await CustomerTag.get_or_create(
                customer_id=customer_id, tag_id=await tag_id(hit.tag),
                defaults={"source": hit.source.value},
            )  # fmt: skip
        except IntegrityError:  # a concurrent message applied it first
            continue
        if created:
            added.append(hit.tag)
    return added


async def tag_names(customer_id: int) -> list[str]:
    return await CustomerTag.filter(customer_id=customer_id).values_list("tag__name", flat=True)  # type: ignore[return-value]


@dataclass(frozen=True)
class MessageTagger:
    """What an inbound message says about its author, as tags."""

    settings: NlpSettings

    async def tag(self, customer: Customer, analysis: Analysis) -> list[str]:
        hits = list(analysis.tags)
        if analysis.sentiment.label is SentimentLabel.NEGATIVE and await self._at_risk(customer):
            hits.append(TagHit(self.settings.at_risk.tag, TagSource.SENTIMENT))
        added = await apply(customer.id, hits)
        if added:
            log.info("customer %s tagged %s", customer.id, ", ".join(added))
        return added

    async def _at_risk(self, customer: Customer) -> bool:
        since = utcnow() - timedelta(days=self.settings.at_risk.window_days)
        negatives = await Interaction.filter(
            customer_id=customer.id, direction="in", sentiment_label="negative",
            created_at__gte=since,
        ).count()  # fmt: skip
        return at_risk_by_sentiment(negatives, self.settings)


def forget_cached() -> None:
    _tag_ids.clear()
