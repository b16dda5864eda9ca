"""Pure text analysis for every inbound message: tokens, keywords, sentiment, intent, tags.

No database and no network. `analyze(text)` uses a default Analyzer built lazily from the
default settings; `configure(settings)` replaces it (the app does so at start-up).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from nlp.analysis import Analysis, Intent, Sentiment, SentimentLabel
from nlp.analyzer import Analyzer
from nlp.config import NlpSettings
from nlp.tags import KeywordRule, TagHit, TagSource, is_unhappy

__all__ = [
    "Analysis",
    "Analyzer",
    "Intent",
    "KeywordRule",
    "NlpSettings",
    "Sentiment",
    "SentimentLabel",
    "TagHit",
    "TagSource",
    "add_user_words",
    "analyze",
    "configure",
    "default_analyzer",
    "is_unhappy",
    "set_keyword_rules",
]

_default: Analyzer | None = None
_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    """The shared Analyzer, built on first use (about half a second)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Analyzer(NlpSettings())
    return _default


def configure(settings: NlpSettings) -> Analyzer:
    """Build the default Analyzer from `settings` (replacing any earlier one)."""
    global _default
    analyzer = Analyzer(settings)
    with _lock:
        _default = analyzer
    return analyzer


def analyze(text: str, extra_rules: Iterable[KeywordRule] | None = None) -> Analysis:
    return default_analyzer().analyze(text, extra_rules)


def add_user_words(words: Iterable[str]) -> None:
    default_analyzer().add_user_words(words)


def set_keyword_rules(rules: Iterable[KeywordRule]) -> None:
    default_analyzer().set_keyword_rules(rules)
