"""The neutral band, chosen on the cross-domain validation rather than by hand.

A score in [low, high] is neutral. The band must hold at most `MAX_REVIEWS_IN_BAND` of
the binary-labelled reviews (the left-out domains' validation rows, scored by the fold
that never saw them: a customer who writes a real complaint must not be filed as
neutral) and, within that, as many as possible of our held-out neutral chat lines (the
calibration half, scored by the shipped model). The other half of the neutral lines and
the left-out domains' other rows give the reported figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.training.corpus import HERE, Example, bucket, read_tsv

NEUTRAL_CHAT = HERE / "heldout" / "neutral_chat.tsv"
MAX_REVIEWS_IN_BAND = 0.03
_GRID = [round(0.01 * i, 2) for i in range(20, 81)]


@dataclass(frozen=True)
class Band:
    low: float
    high: float

    def share_in(self, scores: Sequence[float]) -> float:
        inside = sum(1 for s in scores if self.low <= s <= self.high)
        return inside / len(scores) if scores else 0.0


def neutral_chat(path: Path = NEUTRAL_CHAT) -> tuple[list[Example], list[Example]]:
    """(calibration, report) halves of the held-out neutral lines, by md5 bucket."""
    lines = read_tsv(path)
    return [ex for ex in lines if bucket(ex.text) % 2], [
        ex for ex in lines if not bucket(ex.text) % 2
    ]


def choose(reviews: Sequence[float], neutral: Sequence[float]) -> Band:
    """The band holding the most neutral lines with at most MAX_REVIEWS_IN_BAND of the
    reviews; ties go to the one holding fewer reviews, then the narrower one."""
    best: tuple[float, float, float] | None = None
    band = Band(0.5, 0.5)
    for low in (g for g in _GRID if g <= 0.5):
        for high in (g for g in _GRID if g >= 0.5):
            candidate = Band(low, high)
            in_reviews = candidate.share_in(reviews)
            if in_reviews > MAX_REVIEWS_IN_BAND:
                continue
            key = (candidate.share_in(neutral), -in_reviews, low - high)
            if best is None or key > best:
                best, band = key, candidate
    return band


def figures(
    band: Band, reviews: Mapping[str, Sequence[float]], neutral: Mapping[str, Sequence[float]]
) -> dict[str, float]:
    """Share of reviews in the band and of neutral lines neutral, per part."""
    out = {f"reviews in band, {part}": band.share_in(s) for part, s in reviews.items()}
    return out | {f"neutral chat neutral, {part}": band.share_in(s) for part, s in neutral.items()}
