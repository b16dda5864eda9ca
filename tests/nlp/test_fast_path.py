"""The message path's shortcuts give what the plain definitions give.

`SentimentModel.score_message` against `score(extract(...))` (the path training and
evaluation use), the intent rules' pattern pre-filter against the patterns themselves,
and `silent` (no rule can match) against running every step.
"""

from __future__ import annotations

import math
import random
import re

import pytest

from nlp import Analyzer, NlpSettings
from nlp import defaults as d
from nlp.features import extract, normalize
from nlp.intent import IntentClassifier, _Message, _prefixes, _union
from nlp.training.corpus import material, short_test, short_test_hard

TRICKY = [
    "好好好。。。~~~",
    "[微笑][OK]😀 :) hhh",
    "不 好 吃 , 很 差",
    "a_b_c d_e a_b",
    "很好很好很好，不太好不好不满意",
    "ＡＢＣ！！　全角？？",
    "  前后有空格  ",
    "x",
    "退订",
    "不是不好吃，是太贵了!!!",
    "真的非常非常好吃😋😋",
    "1234567890" * 30,
]


def _texts() -> list[str]:
    return TRICKY + [ex.text for ex in short_test() + short_test_hard() + material()[:3000]]


def test_score_message_is_score_of_extract(analyzer: Analyzer) -> None:
    model = analyzer._model
    for text in _texts():
        norm = normalize(text)
        tokens = analyzer.tokenizer.cut(norm)
        features = extract(tokens, norm)
        total, count = model.by_family.total(tokens, norm)
        assert count == len(features), text
        assert math.isclose(total, sum(model.weights.get(f, 0.0) for f in features), abs_tol=1e-9)
        assert math.isclose(model.score_message(tokens, norm), model.score(features), abs_tol=1e-12)


def test_normalize_is_translate() -> None:
    from nlp.features import _HALF_WIDTH

    for text in [*_texts(), "".join(map(chr, range(0xFF00, 0xFF60))), "\u3000x\u3000"]:
        assert normalize(text) == text.translate(_HALF_WIDTH).lower()


@pytest.mark.parametrize(
    "rule",
    [d.UNSUBSCRIBE, d.HUMAN_AGENT, d.POINTS_QUERY, d.COMPLAINT, d.QUESTION],
    ids=["unsubscribe", "human_agent", "points_query", "complaint", "question"],
)
def test_every_pattern_match_starts_with_a_prefix(rule: dict[str, list[str]]) -> None:
    pattern = _union(rule["patterns"])
    assert pattern is not None
    prefixes = _prefixes(pattern)
    assert prefixes
    alphabet = sorted(set("".join(prefixes)) | set("了吗呢的我再给发消息积分多少天 ?!，。"))
    rng = random.Random(7)
    texts = _texts() + ["".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(20000)]
    for text in texts:
        for found in pattern.finditer(text):
            assert text[found.start() :].startswith(tuple(prefixes)), (text, found)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"a*b", {"aa", "ab", "b"}),
        (r"(ab)+c", {"ab"}),
        (r"好{2,}", {"好好"}),
        (r"x?", None),  # may match the empty string
        (r"\d+元", None),
        (r".{0,3}退", None),
        (r"(?i)td", None),
        (r"(吗|呢)\s*$", {"吗", "呢"}),
    ],
)
def test_prefixes(pattern: str, expected: set[str] | None) -> None:
    assert _prefixes(re.compile(pattern)) == expected


def test_silent_shortcut_gives_what_the_steps_give(analyzer: Analyzer) -> None:
    intents: IntentClassifier = analyzer._intents
    rules = intents._rules
    silent = 0
    for text in _texts():
        norm = normalize(text)
        result = analyzer.analyze(text)
        if not norm.strip():
            continue
        lowered = norm.lower()
        if len(lowered) <= rules.compact_limit:
            from nlp.intent import compact

            compacted = compact(lowered)
        else:
            compacted = lowered
        msg = _Message(lowered, compacted, rules.scan(lowered, compacted), result.sentiment)
        if not rules.silent(msg):
            continue
        silent += 1
        for step in intents._steps:
            assert step(msg) is None or step == intents._negative_signal, text
        assert result.intent.value in ("other", "complaint"), text
    assert silent > 100


def test_intent_with_custom_patterns_the_filter_cannot_read() -> None:
    settings = NlpSettings()
    settings.intents.question.patterns = [r".*请教", r"[?？]"]
    analyzer = Analyzer(settings)
    assert analyzer.analyze("想请教一下保质期").intent.value == "question"
    assert analyzer.analyze("好吃").intent.value != "question"


def test_bigram_codes_are_the_distinct_bigrams() -> None:
    from nlp.features import FeatureWeights, _bigram_codes

    for chars in ["^好$", "^好好好$", "^a😀b\ud800c$", "^" + "没有质量问题" * 3 + "$"]:
        bigrams = {chars[i : i + 2] for i in range(len(chars) - 1)}
        weights = FeatureWeights({"2" + b: float(n) for n, b in enumerate(sorted(bigrams))})
        codes = _bigram_codes(chars)
        assert len(codes) == len(bigrams)
        assert sorted(map(weights._bigrams.__getitem__, codes)) == list(range(len(bigrams)))


def test_message_words_and_keywords(analyzer: Analyzer) -> None:
    from nlp.features import _PUNCT
    from nlp.words import Vocabulary

    interest = analyzer._interest
    tiny = Vocabulary(analyzer._word, limit=1)  # full at once: every word learned anew
    for text in _texts():
        norm = normalize(text)
        tokens = analyzer.tokenizer.cut(norm)
        for vocabulary in (analyzer._vocabulary, tiny):
            words: dict = {}
            analyzer._model.by_family.total(tokens, norm, vocabulary, words)
            assert list(words) == list(dict.fromkeys(t for t in tokens if t not in _PUNCT))
            for limit in (0, 1, 5):
                assert interest.top_of(words, tokens, norm, limit) == interest.top(tokens, limit)
    assert len(tiny.known) == 1


def test_classify_lower_case_text_as_given(analyzer: Analyzer) -> None:
    intents: IntentClassifier = analyzer._intents
    checked = 0
    for text in _texts()[:500]:
        mood = analyzer.analyze(text).sentiment
        norm = normalize(text)
        expected = intents.classify(norm, mood, is_lower=True)
        assert intents.classify(norm, mood) == expected
        if norm.upper().lower() == norm:
            assert intents.classify(norm.upper(), mood) == expected
            checked += 1
    assert checked > 400
