"""Intent: config rules plus the sentiment signal, first match wins, always explained.

Precision first for opt-outs and complaints: a keyword right after a negator
(我不想退订, 没有质量问题) does not count, and an opt-out word inside a question or a
condition (退订的话怎么操作, 怎么退订?) is a question, not an opt-out.

All rule keywords, and the 1-2 characters each rule's patterns may start with, share one
Aho-Corasick automaton: one pass over the text tells which rules may match, and only
their regular expressions are tried.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _parser
from collections.abc import Callable
from typing import Any, NamedTuple

import ahocorasick

from nlp.analysis import Intent, Sentiment, SentimentLabel
from nlp.config import IntentRule, IntentSettings

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
# An opt-out word in a question or a condition is not an opt-out (退订了还能收到优惠吗).
# An imperative pattern (别再发了, 别再给我发了好吗) only yields to a real condition.
_ASKING = re.compile(
    r"怎么|如何|怎样|的话|如果|能不能|可不可以|什么|是否|会不会|[?？]|(吗|呢|么)[\s。.!！~～]*$"
)
_CONDITION = re.compile(r"怎么|如何|怎样|的话|如果|是否|会不会")
_CLAUSE_END = re.compile(r"[\s,，。.!！?？;；:：~～]")
_NEGATION_WINDOW = 4  # characters before a keyword, within its clause, a negator may sit in
_OTHER, _COMPLAINT, _NEGATIVE = Intent.OTHER, Intent.COMPLAINT, SentimentLabel.NEGATIVE
_NEGATABLE = ("unsubscribe", "complaint", "complaint_if_negative")
Hits = dict[str, list[tuple[int, str]]]  # rule -> (start, keyword) of each keyword found


def _union(patterns: list[str]) -> re.Pattern[str] | None:
    """A rule's regexes as one (one scan per rule instead of one per regex)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


_PREFIX = 2  # characters of each pattern's possible beginnings the filter looks for
_MAX_PREFIXES = 2000


def _prefixes(pattern: re.Pattern[str] | None) -> set[str] | None:
    """Strings one of which every match of `pattern` starts with (up to `_PREFIX` long).

    Looking for a few literal strings is much cheaper than trying a union of patterns at
    every position; when none occurs, the pattern cannot match. None when that cannot be
    worked out (case folding, a pattern that may match the empty string, ...).
    """
    if pattern is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        complete, partial = _sequence(_parser.parse(pattern.pattern, pattern.flags).data)
    except (_TooMany, re.error):
        return None
    found = complete | partial
    return None if not found or "" in found else found


class _TooMany(Exception):
    pass


_Starts = tuple[set[str], set[str]]  # (whole matches shorter than _PREFIX, cut-off beginnings)
_UNKNOWN: _Starts = (set(), {""})  # anything may follow: stop here


def _sequence(items: Any) -> _Starts:
    """Beginnings of a parsed sequence: `complete` strings are whole matches of it (the
    next item may follow), `partial` ones are cut off (at _PREFIX, or where unknown)."""
    current, partial = {""}, set()
    for op, av in items:
        if not current:
            break
        current, cut = _concat(current, _item(op, av))
        partial |= cut
    return current, partial


def _concat(heads: set[str], starts: _Starts) -> _Starts:
    complete: set[str] = set()
    cut: set[str] = set()
    for head in heads:
        for tail in starts[0]:
            joined = head + tail
            (cut if len(joined) >= _PREFIX else complete).add(joined[:_PREFIX])
        for tail in starts[1]:
            cut.add((head + tail)[:_PREFIX])
    if len(complete) + len(cut) > _MAX_PREFIXES:
        raise _TooMany
    return complete, cut


def _item(op: Any, av: Any) -> _Starts:
    if op is _c.LITERAL:
        return {chr(av)}, set()
    if op is _c.AT:  # ^, $, \b: zero width
        return {""}, set()
    if op is _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _c.LITERAL:
                chars.add(chr(value))
            elif kind is _c.RANGE and value[1] - value[0] <= 512:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # categories (\s), negation
                return _UNKNOWN
        return chars, set()
    if op is _c.BRANCH:
        complete, partial = set(), set()
        for alternative in av[1]:
            whole, cut = _sequence(alternative)
            complete |= whole
            partial |= cut
        return complete, partial
    if op is _c.SUBPATTERN:
        return _UNKNOWN if av[1] or av[2] else _sequence(av[3])  # inline flags: unknown
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = av
        starts = _sequence(body)
        complete, partial, current = set(), set(), {""}
        for count in range(low + _PREFIX + 2):
            if count >= low:
                complete |= current
            if count == high or not current:
                return complete, partial
            current, cut = _concat(current, starts)
            partial |= cut
        return complete, partial | current  # still repeating: cut off
    return _UNKNOWN


def compact(text: str) -> str:
    """Lower case, no punctuation or spaces: the form `exact` rules compare with."""
    return _STRIP.sub("", text.lower())


class IntentResult(NamedTuple):
    intent: Intent
    reason: str


_NO_RULE = IntentResult(_OTHER, "no rule matched")


class _Message:
    """One message as the rules see it (a plain slotted class: built for every message)."""

    __slots__ = ("candidates", "compacted", "hits", "question", "sentiment", "text")

    def __init__(
        self, text: str, compacted: str, scanned: tuple[Hits, set[str]], sentiment: Sentiment
    ) -> None:
        self.text = text  # lower case
        self.compacted = compacted
        self.hits, self.candidates = scanned  # candidates: rules that may match (scan)
        self.sentiment = sentiment
        self.question: str | bool | None = False  # match("question"), once computed


class IntentRules:
    """Every IntentRule compiled: exact sets, one keyword automaton, per-rule regexes."""

    def __init__(self, rules: dict[str, IntentRule], negators: tuple[str, ...]) -> None:
        self._exact = {name: frozenset(compact(e) for e in r.exact) for name, r in rules.items()}
        patterns = {name: _union(r.patterns) for name, r in rules.items()}
        starts = {name: _prefixes(pattern) for name, pattern in patterns.items()}
        self._compiled = {
            name: (self._exact[name], name in _NEGATABLE, pattern)
            for name, pattern in patterns.items()
        }
        # Rules whose patterns' beginnings cannot be worked out: always tried.
        self._unsure = frozenset(
            name for name, pattern in patterns.items() if pattern and starts[name] is None
        )
        self._exact_owners: dict[str, frozenset[str]] = {}
        for name, texts in self._exact.items():
            for text in texts:
                self._exact_owners[text] = self._exact_owners.get(text, frozenset()) | {name}
        self._negators = negators
        self._automaton = self._build(rules, {n: s for n, s in starts.items() if patterns[n]})
        # Texts longer than this can be neither an `exact` hit nor short (spares compact()).
        longest = max((len(e) for r in rules.values() for e in r.exact), default=0)
        self.compact_limit = max(16, 2 * longest)

    @staticmethod
    def _build(
        rules: dict[str, IntentRule], starts: dict[str, set[str] | None]
    ) -> ahocorasick.Automaton | None:
        """One automaton for every rule's keywords and its patterns' possible beginnings:
        value (rules with this keyword, rules a pattern of which may start here, keyword)."""
        owners: dict[str, tuple[list[str], list[str]]] = {}
        for name, rule in rules.items():
            for keyword in {k.lower() for k in rule.keywords if k}:
                owners.setdefault(keyword, ([], []))[0].append(name)
        for name, prefixes in starts.items():
            for prefix in prefixes or ():
                owners.setdefault(prefix, ([], []))[1].append(name)
        if not owners:
            return None
        automaton = ahocorasick.Automaton()
        for key, (keyword_of, pattern_of) in owners.items():
            automaton.add_word(key, (tuple(keyword_of), frozenset(pattern_of), key))
        automaton.make_automaton()
        return automaton

    def scan(self, text: str, compacted: str) -> tuple[Hits, set[str]]:
        """(keyword hits by rule, the rules that may match `text`) in one pass."""
        hits: Hits = {}
        candidates = set(self._unsure)
        if self._automaton is not None:
            for end, (keyword_of, pattern_of, keyword) in self._automaton.iter(text):
                if pattern_of:
                    candidates |= pattern_of
                for name in keyword_of:
                    hits.setdefault(name, []).append((end - len(keyword) + 1, keyword))
        candidates.update(hits)
        if owners := self._exact_owners.get(compacted):
            candidates |= owners
        return hits, candidates

    @staticmethod
    def silent(msg: _Message) -> bool:
        """No rule can match: no keyword, no exact text, no pattern's beginning."""
        return not msg.candidates

    def match(self, name: str, msg: _Message) -> str | None:
        """What matched rule `name`; a hit right after a negator does not count."""
        if name == "question":
            if msg.question is False:  # the steps ask more than once: remember it
                msg.question = self._match(name, msg)
            return msg.question  # type: ignore[return-value]
        return self._match(name, msg)

    def _match(self, name: str, msg: _Message) -> str | None:
        if name not in msg.candidates:
            return None
        exact, negatable, pattern = self._compiled[name]
        if msg.compacted in exact:
            return f"exact '{msg.compacted}'"
        hits = msg.hits.get(name)
        if hits:
            for start, keyword in hits:
                if not (negatable and self._negated(msg.text, start)):
                    return f"keyword '{keyword}'"
        # search() (one call) before finditer(): most candidates match no pattern.
        if pattern is None:
            return None
        if (found := pattern.search(msg.text)) is None:
            return None
        if not negatable:
            return f"pattern '{found[0]}'"
        for found in pattern.finditer(msg.text):
            if not self._negated(msg.text, found.start()):
                return f"pattern '{found[0]}'"
        return None

    def negated(self, name: str, msg: _Message) -> str | None:
        """A hit of rule `name` that a negator cancelled (for the explanation)."""
        for start, keyword in msg.hits.get(name, ()):
            if self._negated(msg.text, start):
                return keyword
        return None

    def _negated(self, text: str, start: int) -> bool:
        """A negator shortly before `start` in the same clause (我不想退订, 没有说要退订)."""
        window = _CLAUSE_END.split(text[max(0, start - _NEGATION_WINDOW) : start])[-1]
        return any(negator in window for negator in self._negators)


class IntentClassifier:
    def __init__(self, settings: IntentSettings) -> None:
        self._settings = settings
        names: tuple[str, ...] = ("unsubscribe", "human_agent", "points_query", "complaint",
                 "complaint_if_negative", "thanks", "greeting", "question")  # fmt: skip
        names += ("erase_request",)  # PIPL (issue 17)
        self._rules = IntentRules(
            {n: getattr(settings, n) for n in names}, tuple(settings.negators)
        )
        self._short = min(settings.short_max_chars, self._rules.compact_limit)
        self._steps: tuple[Callable[[_Message], IntentResult | None], ...] = (
            self._simple("erase_request", Intent.ERASE_REQUEST),  # PIPL (issue 17)
            self._opt_out, self._simple("human_agent", Intent.HUMAN_AGENT),
            self._simple("complaint", Intent.COMPLAINT),
            self._simple("points_query", Intent.POINTS_QUERY),
            self._soft_complaint, self._negative_signal, self._thanks_or_greeting,
            self._simple("question", Intent.QUESTION),
        )  # fmt: skip

    def classify(self, text: str, sentiment: Sentiment, is_lower: bool = False) -> IntentResult:
        """`is_lower`: `text` is lower case already (normalized text is; lower() is
        idempotent over all of Unicode)."""
        lowered = text if is_lower else text.lower()
        rules = self._rules
        compacted = _STRIP.sub("", lowered) if len(lowered) <= rules.compact_limit else lowered
        msg = _Message(lowered, compacted, rules.scan(lowered, compacted), sentiment)
        if rules.silent(msg):  # most messages: what the steps below come to without a match
            limit = self._settings.complaint_max_score
            if sentiment.score < limit and len(compacted) >= self._settings.complaint_min_chars:
                reason = f"signal sentiment: score {sentiment.score:.3f} < {limit}"
                return IntentResult(_COMPLAINT, reason)
            return _NO_RULE
        for step in self._steps:
            result = step(msg)
            if result is not None:
                return result
        return _NO_RULE

    def _simple(self, name: str, intent: Intent) -> Callable[[_Message], IntentResult | None]:
        def step(msg: _Message) -> IntentResult | None:
            if name not in msg.candidates:
                return None
            hit = self._rules.match(name, msg)
            return IntentResult(intent, f"rule {name}: {hit}") if hit else None

        return step

    def _opt_out(self, msg: _Message) -> IntentResult | None:
        if "unsubscribe" not in msg.candidates:  # no hit, so none negated either
            return None
        hit = self._rules.match("unsubscribe", msg)
        if hit is None:
            negated = self._rules.negated("unsubscribe", msg)
            if negated is None:
                return None
            return IntentResult(
                Intent.OTHER, f"guard: opt-out word '{negated}' negated, not an opt-out"
            )
        guard = _CONDITION if hit.startswith("pattern") else _ASKING
        asking = guard.search(msg.text) if not hit.startswith("exact") else None
        if asking:
            reason = f"guard: {hit} asked about ('{asking[0]}'), not an opt-out"
            return IntentResult(Intent.QUESTION, reason)
        return IntentResult(Intent.UNSUBSCRIBE, f"rule unsubscribe: {hit}")

    def _soft_complaint(self, msg: _Message) -> IntentResult | None:
        mood = msg.sentiment
        if mood.label is not _NEGATIVE:
            return None
        hit = self._rules.match("complaint_if_negative", msg)
        if hit is None:
            return None
        limit = self._settings.complaint_question_max_score
        if mood.score >= limit and self._rules.match("question", msg):
            return None  # 怎么退货: asking how, not (clearly) complaining
        reason = f"rule complaint_if_negative: {hit}, sentiment {mood.score:.3f}"
        return IntentResult(Intent.COMPLAINT, reason)

    def _negative_signal(self, msg: _Message) -> IntentResult | None:
        limit = self._settings.complaint_max_score
        if msg.sentiment.score >= limit or len(msg.compacted) < self._settings.complaint_min_chars:
            return None
        if self._rules.match("question", msg) or self._complaint_negated(msg):
            return None
        return IntentResult(
            Intent.COMPLAINT, f"signal sentiment: score {msg.sentiment.score:.3f} < {limit}"
        )

    def _complaint_negated(self, msg: _Message) -> bool:
        """不用投诉了: a negated complaint word keeps a gloomy score from making one."""
        rules = self._rules
        return bool(rules.negated("complaint", msg) or rules.negated("complaint_if_negative", msg))

    def _thanks_or_greeting(self, msg: _Message) -> IntentResult | None:
        if msg.sentiment.label is not _NEGATIVE:
            hit = self._rules.match("thanks", msg)
            if hit:
                return IntentResult(Intent.THANKS, f"rule thanks: {hit}")
        if len(msg.compacted) > self._short:
            return None
        hit = self._rules.match("greeting", msg)
        if hit and (hit.startswith("exact") or self._rules.match("question", msg) is None):
            return IntentResult(Intent.GREETING, f"rule greeting: {hit}")
        return None
