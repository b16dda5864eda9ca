"""The sentiment decision rule, chosen on the cross-domain validation rather than by hand.

A message is neutral when its score lies in the band [low, high], or when it is at most
`max_chars` long and holds no opinion cue (`nlp.opinion`, as `Analyzer.analyze` decides).
The rule must make at most `MAX_REVIEWS_NEUTRAL` of the binary-labelled reviews neutral
(the left-out domains' validation rows, scored by the fold that never saw them: a
customer who writes a real complaint must not be filed as neutral) and, within that,
as many as possible of our held-out neutral chat lines (the calibration half). The
other half, the second neutral set (written before the opinion cues, report only) and
the left-out domains' other rows give the reported figures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.analysis import Intent
from nlp.analyzer import Analyzer
from nlp.features import normalize
from nlp.opinion import has_opinion
from nlp.training.corpus import HERE, Example, bucket, read_tsv

NEUTRAL_CHAT = HERE / "heldout" / "neutral_chat.tsv"
NEUTRAL_CHAT_2 = HERE / "heldout" / "neutral_chat_2.tsv"
MAX_REVIEWS_NEUTRAL = 0.03
NO_CUE = 10**9  # the cue-free length of a message that holds an opinion cue
_GRID = [round(0.01 * i, 2) for i in range(20, 81)]
_LENGTHS = (0, 8, 12, 16, 20, 25, 30, 40)


@dataclass(frozen=True)
class Row:
    """A message as the rule sees it: its score and its length when it holds no cue."""

    score: float
    cue_free: int


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    max_chars: int = 0

    def neutral(self, row: Row) -> bool:
        return self.low <= row.score <= self.high or row.cue_free <= self.max_chars

    def share_in(self, rows: Sequence[Row]) -> float:
        inside = sum(1 for row in rows if self.neutral(row))
        return inside / len(rows) if rows else 0.0


def neutral_chat(path: Path = NEUTRAL_CHAT) -> tuple[list[Example], list[Example]]:
    """(calibration, report) halves of the held-out neutral lines, by md5 bucket."""
    lines = read_tsv(path)
    return [ex for ex in lines if bucket(ex.text) % 2], [
        ex for ex in lines if not bucket(ex.text) % 2
    ]


def cue_free_length(analyzer: Analyzer, text: str) -> int:
    """The normalized length of a message `analyze` would make neutral for holding no
    opinion (no cue, not a complaint or thanks) at any length limit; else NO_CUE."""
    norm = normalize(text)
    if has_opinion(analyzer.tokenizer.cut(norm), norm, NO_CUE):
        return NO_CUE
    intent = analyzer.analyze(text).intent
    return NO_CUE if intent in (Intent.COMPLAINT, Intent.THANKS) else len(norm)


def rows(analyzer: Analyzer, scores: Sequence[float], texts: Sequence[str]) -> list[Row]:
    return [Row(s, cue_free_length(analyzer, t)) for s, t in zip(scores, texts, strict=True)]


def choose(reviews: Sequence[Row], neutral: Sequence[Row], threshold: float = 0.5) -> Band:
    """The rule (a band around `threshold`, a length limit) making the most neutral lines
    neutral with at most MAX_REVIEWS_NEUTRAL of the reviews; ties go to the one making
    fewer reviews neutral, then the narrower band, then the shorter limit."""
    best: tuple[float, float, float, int] | None = None
    band = Band(threshold, threshold)
    for max_chars in _LENGTHS:
        left = _Remaining(reviews, max_chars)
        for low in (g for g in _GRID if g <= threshold):
            for high in (g for g in _GRID if g >= threshold):
                in_reviews = left.share(low, high)
                if in_reviews > MAX_REVIEWS_NEUTRAL:
                    continue
                candidate = Band(low, high, max_chars)
                key = (candidate.share_in(neutral), -in_reviews, low - high, -max_chars)
                if best is None or key > best:
                    best, band = key, candidate
    return band


class _Remaining:
    """Reviews under one length limit: those the opinion signal makes neutral, and the
    sorted scores of the others, so a band's share is two bisections."""

    def __init__(self, reviews: Sequence[Row], max_chars: int) -> None:
        self.total = len(reviews) or 1
        self.caught = sum(1 for row in reviews if row.cue_free <= max_chars)
        self.scores = sorted(row.score for row in reviews if row.cue_free > max_chars)

    def share(self, low: float, high: float) -> float:
        inside = bisect_right(self.scores, high) - bisect_left(self.scores, low)
        return (self.caught + inside) / self.total


def figures(
    band: Band, reviews: Mapping[str, Sequence[Row]], neutral: Mapping[str, Sequence[Row]]
) -> dict[str, float]:
    """Share of reviews made neutral and of neutral lines kept neutral, per part."""
    out = {f"reviews neutral, {part}": band.share_in(r) for part, r in reviews.items()}
    return out | {f"neutral chat neutral, {part}": band.share_in(r) for part, r in neutral.items()}


def rule_metrics(band: Band, rows: Sequence[Row], labels: Sequence[int]) -> tuple[float, float]:
    """(accuracy, negative F1) of binary-labelled reviews under the three-way rule: a
    review made neutral counts as wrong, and a negative one as a missed negative."""
    labelled = [(_label(band, row), gold) for row, gold in zip(rows, labels, strict=True)]
    tp = sum(1 for p, y in labelled if p == y == 0)
    fp = sum(1 for p, y in labelled if p == 0 and y == 1)
    fn = sum(1 for p, y in labelled if y == 0 and p != 0)
    right = sum(1 for p, y in labelled if p == y)
    return right / len(labelled), (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def _label(band: Band, row: Row) -> int:
    """0 negative, 1 positive, 2 neutral."""
    if band.neutral(row):
        return 2
    return 0 if row.score < band.low else 1
