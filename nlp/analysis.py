"""The typed, frozen result of analysing one message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from nlp.tags import TagHit


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Intent(StrEnum):
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"
    POINTS_QUERY = "points_query"
    HUMAN_AGENT = "human_agent"
    GREETING = "greeting"
    THANKS = "thanks"
    QUESTION = "question"
    OTHER = "other"
    ERASE_REQUEST = "erase_request"  # PIPL: delete my data (handlers/erasure.py)


@dataclass(frozen=True, slots=True)
class Sentiment:
    score: float  # probability that the message is positive, 0..1
    label: SentimentLabel


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    tokens: tuple[str, ...]
    keywords: tuple[str, ...]
    sentiment: Sentiment
    intent: Intent
    intent_reason: str
    tags: tuple[TagHit, ...]

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        """The shape of `siyu nlp analyze`; `explain` adds `intent_reason`."""
        data = {
            "text": self.text,
            "tokens": list(self.tokens),
            "keywords": list(self.keywords),
            "sentiment": {
                "score": round(self.sentiment.score, 4),
                "label": self.sentiment.label.value,
            },
            "intent": self.intent.value,
            "tags": [{"tag": hit.tag, "source": hit.source.value} for hit in self.tags],
        }
        if explain:
            data["intent_reason"] = self.intent_reason
        return data
