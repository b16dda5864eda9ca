"""Sentiment inference: a linear model over `nlp.features`, weights shipped as gzip JSON.

Plain Python: a dict lookup per feature and one exp(). The weights are trained by
`siyu nlp train` (nlp/training) and live in nlp/model/sentiment.json.gz.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from nlp.analysis import Sentiment, SentimentLabel
from nlp.features import FeatureWeights
from nlp.words import Vocabulary, Word

DEFAULT_MODEL = Path(__file__).resolve().parent / "model" / "sentiment.json.gz"


@dataclass(frozen=True, slots=True)
class SentimentModel:
    weights: dict[str, float]
    bias: float
    length_power: float = 0.5  # the sum is divided by count ** this (see score)
    by_family: FeatureWeights = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_family", FeatureWeights(self.weights))

    @classmethod
    def load(cls, path: Path | str | None = None) -> SentimentModel:
        with gzip.open(path or DEFAULT_MODEL, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        power = float(data.get("length_power", 0.5))
        return cls(weights=data["weights"], bias=float(data["bias"]), length_power=power)

    def score(self, features: list[str] | set[str]) -> float:
        """Probability that the message is positive.

        Features are binary and the sum is divided by sqrt(count), so a one-line message
        and a long review land on the same scale (as in training).
        """
        if not features:
            return 1.0 / (1.0 + math.exp(-self.bias))
        weights = self.weights
        # Intersecting in C beats a Python loop of dict.get calls.
        total = sum(map(weights.__getitem__, weights.keys() & features))
        z = self.bias + total / len(features) ** self.length_power
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def score_message(
        self,
        tokens: list[str],
        text: str,
        vocabulary: Vocabulary | None = None,
        words: dict[str, Word] | None = None,
    ) -> float:
        """`score(extract(tokens, text))` without building the feature strings.

        `vocabulary` and `words` as for `FeatureWeights.total`.
        """
        total, count = self.by_family.total(tokens, text, vocabulary, words)
        z = self.bias + total / count**self.length_power
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


# Module constants: an enum member read off its class costs a metaclass lookup each time.
_NEGATIVE, _NEUTRAL, _POSITIVE = (
    SentimentLabel.NEGATIVE,
    SentimentLabel.NEUTRAL,
    SentimentLabel.POSITIVE,
)


def label_for(score: float, neutral_low: float, neutral_high: float) -> SentimentLabel:
    if score < neutral_low:
        return _NEGATIVE
    if score > neutral_high:
        return _POSITIVE
    return _NEUTRAL


def sentiment(score: float, neutral_low: float, neutral_high: float) -> Sentiment:
    return Sentiment(score=score, label=label_for(score, neutral_low, neutral_high))
