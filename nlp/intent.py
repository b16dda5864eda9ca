"""Intent: config rules plus the sentiment signal, first match wins, always explained.

Precision first for opt-outs and complaints: a keyword right after a negator
(我不想退订, 没有质量问题) does not count, and an opt-out word inside a question or a
condition (退订的话怎么操作, 怎么退订?) is a question, not an opt-out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nlp.analysis import Intent, Sentiment, SentimentLabel
from nlp.config import IntentRule, IntentSettings

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_ASKING = re.compile(
    r"怎么|如何|怎样|的话|如果|能不能|可不可以|可以.{0,8}吗|[?？]|什么|是否|会不会"
)


def compact(text: str) -> str:
    """Lower case, no punctuation or spaces: the form `exact` rules compare with."""
    return _STRIP.sub("", text.lower())


@dataclass(frozen=True)
class IntentResult:
    intent: Intent
    reason: str


class RuleMatcher:
    """One IntentRule compiled; `match` says what matched, or None.

    Keywords are compiled into one alternation so a rule costs one regex scan.
    """

    def __init__(self, rule: IntentRule, negators: tuple[str, ...] = ()) -> None:
        self._exact = frozenset(compact(item) for item in rule.exact)
        keywords = sorted({item.lower() for item in rule.keywords if item}, key=len, reverse=True)
        sources = [re.escape(keyword) for keyword in keywords] + list(rule.patterns)
        self._regex = (
            re.compile("|".join(f"(?:{source})" for source in sources)) if sources else None
        )
        self._keywords = frozenset(keywords)
        self._negators = negators
        self.negated: str | None = None

    def match(self, text: str, compacted: str) -> str | None:
        """What matched; a hit right after a negator (我不想退订) does not count."""
        if compacted in self._exact:
            return f"exact '{compacted}'"
        if self._regex is None:
            return None
        for found in self._regex.finditer(text):
            if not self._negators or not text[max(0, found.start() - 3) : found.start()].endswith(
                self._negators
            ):
                kind = "keyword" if found[0] in self._keywords else "pattern"
                return f"{kind} '{found[0]}'"
        return None

    def negated_hit(self, text: str) -> str | None:
        """The first hit that a negator cancelled, for explaining why nothing matched."""
        found = self._regex.search(text) if self._regex is not None and self._negators else None
        return found[0] if found else None


class IntentClassifier:
    def __init__(self, settings: IntentSettings) -> None:
        negators = tuple(settings.negators)
        self._settings = settings
        self._unsubscribe = RuleMatcher(settings.unsubscribe, negators)
        self._human = RuleMatcher(settings.human_agent)
        self._points = RuleMatcher(settings.points_query)
        self._complaint = RuleMatcher(settings.complaint, negators)
        self._complaint_soft = RuleMatcher(settings.complaint_unless_positive, negators)
        self._thanks = RuleMatcher(settings.thanks)
        self._greeting = RuleMatcher(settings.greeting)
        self._question = RuleMatcher(settings.question)

    def classify(self, text: str, sentiment: Sentiment) -> IntentResult:
        lowered = text.lower()
        compacted = compact(lowered)
        steps: tuple[Callable[[str, str, Sentiment], IntentResult | None], ...] = (
            self._opt_out,
            self._human_agent,
            self._strong_complaint,
            self._points_query,
            self._soft_complaint,
            self._negative_signal,
            self._thanks_or_greeting,
            self._asking,
        )
        for step in steps:
            result = step(lowered, compacted, sentiment)
            if result is not None:
                return result
        return IntentResult(Intent.OTHER, "no rule matched")

    def _opt_out(self, text: str, compacted: str, _: Sentiment) -> IntentResult | None:
        hit = self._unsubscribe.match(text, compacted)
        if hit is None:
            negated = self._unsubscribe.negated_hit(text)
            if negated is None:
                return None
            return IntentResult(
                Intent.OTHER, f"guard: opt-out word '{negated}' negated, not an opt-out"
            )
        asking = _ASKING.search(text)
        if asking and not hit.startswith("exact"):
            return IntentResult(
                Intent.QUESTION, f"guard: {hit} asked about ('{asking[0]}'), not an opt-out"
            )
        return IntentResult(Intent.UNSUBSCRIBE, f"rule unsubscribe: {hit}")

    def _human_agent(self, text: str, compacted: str, _: Sentiment) -> IntentResult | None:
        hit = self._human.match(text, compacted)
        return IntentResult(Intent.HUMAN_AGENT, f"rule human_agent: {hit}") if hit else None

    def _strong_complaint(self, text: str, compacted: str, _: Sentiment) -> IntentResult | None:
        hit = self._complaint.match(text, compacted)
        return IntentResult(Intent.COMPLAINT, f"rule complaint: {hit}") if hit else None

    def _points_query(self, text: str, compacted: str, _: Sentiment) -> IntentResult | None:
        hit = self._points.match(text, compacted)
        return IntentResult(Intent.POINTS_QUERY, f"rule points_query: {hit}") if hit else None

    def _soft_complaint(
        self, text: str, compacted: str, sentiment: Sentiment
    ) -> IntentResult | None:
        if sentiment.label is SentimentLabel.POSITIVE:
            return None
        hit = self._complaint_soft.match(text, compacted)
        if hit is None:
            return None
        reason = f"rule complaint_unless_positive: {hit}, sentiment {sentiment.label.value}"
        return IntentResult(Intent.COMPLAINT, reason)

    def _negative_signal(
        self, text: str, compacted: str, sentiment: Sentiment
    ) -> IntentResult | None:
        limit = self._settings.complaint_max_score
        if sentiment.score >= limit or len(compacted) < 2 or self._question.match(text, compacted):
            return None
        return IntentResult(
            Intent.COMPLAINT, f"signal sentiment: score {sentiment.score:.3f} < {limit}"
        )

    def _thanks_or_greeting(
        self, text: str, compacted: str, sentiment: Sentiment
    ) -> IntentResult | None:
        short = len(compacted) <= self._settings.short_max_chars
        if sentiment.label is not SentimentLabel.NEGATIVE:
            hit = self._thanks.match(text, compacted)
            if hit:
                return IntentResult(Intent.THANKS, f"rule thanks: {hit}")
        hit = self._greeting.match(text, compacted) if short else None
        if hit and (hit.startswith("exact") or self._question.match(text, compacted) is None):
            return IntentResult(Intent.GREETING, f"rule greeting: {hit}")
        return None

    def _asking(self, text: str, compacted: str, _: Sentiment) -> IntentResult | None:
        hit = self._question.match(text, compacted)
        return IntentResult(Intent.QUESTION, f"rule question: {hit}") if hit else None
