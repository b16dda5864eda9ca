"""Tags: where a tag came from, keyword rules, and the sentiment-based tag policy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp.config import NlpSettings


class TagSource(StrEnum):
    KEYWORD = "keyword"
    SENTIMENT = "sentiment"
    INTENT = "intent"
    STAFF = "staff"
    SEGMENT = "segment"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class TagHit:
    tag: str
    source: TagSource


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """A message containing `keyword` (case-insensitive) gets `tag`."""

    keyword: str
    tag: str


def is_unhappy(negative_count_in_window: int, settings: NlpSettings) -> bool:
    """True when a customer's negative messages within the window reach the threshold.

    The caller counts negative messages over the last `settings.unhappy.window_days` days.
    """
    return negative_count_in_window >= settings.unhappy.negative_threshold
