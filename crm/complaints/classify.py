"""A new complaint's category (keyword rules in config) and severity (keywords, sentiment,
and how sure the intent classifier was)."""

from __future__ import annotations

from dataclasses import dataclass

from crm.complaints.config import OTHER, ComplaintSettings
from crm.models.complaints import ComplaintSeverity

EXPLICIT = ("投诉", "我要投诉")


@dataclass(frozen=True, slots=True)
class Signals:
    """What nlp said about the text (None when analysis is off)."""

    sentiment: float | None = None  # probability that the text is positive, 0..1
    complaint_intent: bool = False


def category(text: str, settings: ComplaintSettings) -> str:
    for name, keywords in settings.categories.items():
        if any(word and word in text for word in keywords):
            return name
    return OTHER


def severity(text: str, signals: Signals, settings: ComplaintSettings) -> ComplaintSeverity:
    if any(word in text for word in settings.urgent_keywords):
        return ComplaintSeverity.URGENT
    if any(word in text for word in settings.high_keywords) or _very_negative(signals, settings):
        return ComplaintSeverity.HIGH
    if signals.complaint_intent or any(word in text for word in EXPLICIT):
        return ComplaintSeverity.NORMAL
    return ComplaintSeverity.LOW


def _very_negative(signals: Signals, settings: ComplaintSettings) -> bool:
    """Only a text the classifier also read as a complaint: sentiment alone misfires."""
    score = signals.sentiment
    return signals.complaint_intent and score is not None and score < settings.high_below_sentiment


def raise_to(current: ComplaintSeverity, found: ComplaintSeverity) -> ComplaintSeverity:
    """Severity only goes up as the customer adds messages."""
    order = list(ComplaintSeverity)
    return found if order.index(found) > order.index(current) else current
