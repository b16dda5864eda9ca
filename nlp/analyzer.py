"""The Analyzer: tokenizer, sentiment model, intent rules and keyword tags, loaded once."""

from __future__ import annotations

from collections.abc import Iterable

from nlp.analysis import Analysis, Intent, Sentiment, SentimentLabel
from nlp.config import NlpSettings
from nlp.features import normalize
from nlp.intent import IntentClassifier
from nlp.keywords import InterestKeywords, KeywordTagger
from nlp.opinion import has_opinion
from nlp.sentiment import SentimentModel, label_for
from nlp.tags import KeywordRule, TagHit, TagSource
from nlp.tokenizer import Tokenizer
from nlp.words import Vocabulary, Word

_INTENTS = {intent.value for intent in Intent}
_LABELS = {label.value for label in SentimentLabel}
_NEUTRAL = SentimentLabel.NEUTRAL
_EMPTY = Sentiment(score=0.5, label=_NEUTRAL)


def rules_from_settings(settings: NlpSettings) -> tuple[KeywordRule, ...]:
    return tuple(
        KeywordRule(keyword=keyword, tag=rule.tag)
        for rule in settings.keyword_rules
        for keyword in rule.keywords
    )


class Analyzer:
    """Pure and CPU-bound: no I/O after construction. Safe to share between threads."""

    def __init__(self, settings: NlpSettings | None = None) -> None:
        self.settings = settings or NlpSettings()
        prefer_rust = self.settings.tokenizer == "auto"
        self._tokenizer = Tokenizer(self.settings.user_words, prefer_rust=prefer_rust)
        self._model = SentimentModel.load(self.settings.sentiment.model_path)
        self._interest = InterestKeywords()
        self._vocabulary = Vocabulary(self._word)
        self._config_rules = rules_from_settings(self.settings)
        self._tagger = KeywordTagger(self._config_rules)
        self._intents = IntentClassifier(self.settings.intents)
        # Keyed by the enums (StrEnum: equal and hashing like their values).
        # The TagHits themselves: frozen, so one instance per tag serves every message.
        self._intent_tags = {
            Intent(k): TagHit(v, TagSource.INTENT)
            for k, v in self.settings.intent_tags.items()
            if k in _INTENTS and v
        }
        self._sentiment_tags = {
            SentimentLabel(k): TagHit(v, TagSource.SENTIMENT)
            for k, v in self.settings.sentiment_tags.items()
            if k in _LABELS and v
        }
        self._keyword_hits: dict[str, TagHit] = {}
        # intent -> sentiment label -> the TagHits both give, in that order
        self._signal_tags = {
            intent: {
                label: tuple(
                    hit
                    for hit in (self._intent_tags.get(intent), self._sentiment_tags.get(label))
                    if hit
                )
                for label in SentimentLabel
            }
            for intent in Intent
        }

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def add_user_words(self, words: Iterable[str]) -> None:
        """New brand words (product or campaign names); they take effect at once."""
        self._tokenizer.add_words(words)

    def set_keyword_rules(self, rules: Iterable[KeywordRule]) -> None:
        """Replace the non-config rules (e.g. those staff manage in the database)."""
        self._tagger.rebuild((*self._config_rules, *rules))

    def analyze(self, text: str, extra_rules: Iterable[KeywordRule] | None = None) -> Analysis:
        norm = normalize(text[: self.settings.max_chars])
        if not norm.strip():
            return Analysis(text, (), (), _EMPTY, Intent.OTHER, "empty message", ())
        tokens = self._tokenizer.cut(norm)
        cfg = self.settings.sentiment
        words: dict[str, Word] = {}
        score = self._model.score_message(tokens, norm, self._vocabulary, words)
        mood = Sentiment(score, label_for(score, cfg.neutral_low, cfg.neutral_high))
        decided = self._intents.classify(norm, mood, is_lower=True)
        if mood.label is not _NEUTRAL and self._no_opinion(tokens, norm, decided.intent):
            mood = Sentiment(score, _NEUTRAL)
        tags = self._tags(norm, mood, decided.intent, extra_rules)
        keywords = self._interest.top_of(words, tokens, norm, self.settings.max_keywords)
        return Analysis(
            text, tuple(tokens), tuple(keywords), mood, decided.intent, decided.reason, tags
        )

    def _no_opinion(self, tokens: list[str], norm: str, intent: Intent) -> bool:
        """A short message with no opinion cue (nlp.opinion) and no complaint or thanks."""
        if intent is Intent.COMPLAINT or intent is Intent.THANKS:
            return False
        return not has_opinion(tokens, norm, self.settings.sentiment.opinion_max_chars)

    def _word(self, token: str) -> Word:
        return self._model.by_family.word(token, self._interest.idf_of(token))

    def _tags(
        self, norm: str, mood: Sentiment, intent: Intent, extra: Iterable[KeywordRule] | None
    ) -> tuple[TagHit, ...]:
        keyword_tags = self._tagger.tags(norm, lowered=True)
        if extra:
            keyword_tags += [r.tag for r in extra if r.keyword.lower() in norm]
        signal_tags = self._signal_tags[intent][mood.label]
        if not keyword_tags:  # most messages
            return signal_tags
        return (*[self._keyword_hit(tag) for tag in dict.fromkeys(keyword_tags)], *signal_tags)

    def _keyword_hit(self, tag: str) -> TagHit:
        hit = self._keyword_hits.get(tag)
        if hit is None:
            hit = TagHit(tag, TagSource.KEYWORD)
            if len(self._keyword_hits) < 10_000:  # tags of extra rules are unbounded
                self._keyword_hits[tag] = hit
        return hit
