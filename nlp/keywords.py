"""Keyword -> tag rules (Aho-Corasick) and interest keywords (TF-IDF on jieba's IDF table)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

import ahocorasick

from nlp.tags import KeywordRule
from nlp.words import Word

DEFAULT_IDF = Path(__file__).resolve().parent / "model" / "idf.json.gz"
# jieba.analyse's own stop words plus chat filler that is never an interest.
_STOP_TEXT = """
    the of is and to in that we for an are by be as on with can if from which you it this
    then at have all not one has or 我们 你们 他们 什么 怎么 这个 那个 就是 还是 一下 一个
    可以 没有 不是 知道 觉得 真的 已经 然后 但是 因为 所以 现在 时候 一直 还有 这么 那么
    非常 特别 有点 比较 自己 大家 东西 感觉 下次 这次 今天 昨天 明天 谢谢 你好 您好
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


class KeywordTagger:
    """All tags whose keyword occurs in a text, case-insensitive, in one pass."""

    def __init__(self, rules: Iterable[KeywordRule] = ()) -> None:
        self._automaton = self._build(rules)

    @staticmethod
    def _build(rules: Iterable[KeywordRule]) -> ahocorasick.Automaton | None:
        tags: dict[str, list[str]] = {}
        for rule in rules:
            keyword = rule.keyword.strip().lower()
            if keyword and rule.tag and rule.tag not in tags.setdefault(keyword, []):
                tags[keyword].append(rule.tag)
        if not tags:
            return None
        automaton = ahocorasick.Automaton()
        for keyword, keyword_tags in tags.items():
            automaton.add_word(keyword, tuple(keyword_tags))
        automaton.make_automaton()
        return automaton

    def rebuild(self, rules: Iterable[KeywordRule]) -> None:
        """Swap in a new automaton; readers see the old or the new one, never a half."""
        self._automaton = self._build(rules)

    def tags(self, text: str, lowered: bool = False) -> list[str]:
        """The tags of `text`, each once (`lowered`: `text` is lower case already)."""
        automaton = self._automaton
        if automaton is None:
            return []
        found: dict[str, None] = {}
        for _, tags in automaton.iter(text if lowered else text.lower()):
            found.update(dict.fromkeys(tags))
        return list(found)


class InterestKeywords:
    """jieba.analyse.extract_tags' TF-IDF over tokens we already have.

    Same IDF table and scoring (tf * idf, unknown words at the median IDF, words of one
    character and stop words skipped) without cutting the text a second time.
    """

    def __init__(self, path: Path | str = DEFAULT_IDF) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        self._median = float(data["median"])
        self._idf: dict[str, float] = {}
        for value, words in data["groups"].items():
            self._idf.update(dict.fromkeys(words.split(" "), float(value)))

    def idf_of(self, word: str) -> float | None:
        """The IDF `top` scores `word` with; None for a word that is never a keyword."""
        if len(word) >= 2 and word not in STOP_WORDS and not word.isdigit():
            return self._idf.get(word, self._median)
        return None

    def top_of(self, words: dict[str, Word], tokens: list[str], text: str, limit: int) -> list[str]:
        """`top(tokens, limit)` from the message's distinct words (in order of first
        appearance, as `FeatureWeights.total` gives them, their Word.idf from `idf_of`).
        `tokens` are cut from `text`."""
        found = [(token, word.idf) for token, word in words.items() if word.idf is not None]
        if len(found) < 2:
            return [token for token, _ in found][:limit]
        # A word found once in the text is one token: str.count is cheaper than list.count.
        count, once = tokens.count, text.count
        scored = sorted([(-(1 if once(w) == 1 else count(w)) * idf, w) for w, idf in found])
        return [token for _, token in scored[:limit]]

    def top(self, tokens: Iterable[str], limit: int) -> list[str]:
        """The `limit` best keywords; `tokens` come from normalized (lower-case) text."""
        counts: dict[str, int] = {}
        for word in tokens:
            if len(word) >= 2 and word not in STOP_WORDS and not word.isdigit():
                counts[word] = counts.get(word, 0) + 1
        if not counts:
            return []
        idf, median = self._idf.get, self._median
        if len(counts) == 1:
            return [*counts][:limit]
        scored = sorted([(-n * idf(w, median), w) for w, n in counts.items()])
        return [word for _, word in scored[:limit]]
