"""Text -> sparse binary features, shared by training and the message path.

Character bigrams carry the domain-free signal; word n-grams, negation scope, degree
words, a small polarity lexicon, emoji, emoticons, repeated punctuation and mixed
Chinese/English carry what short chat lines say. Everything here is plain Python and
runs for every message, hence the flat loops.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import repeat
from operator import attrgetter

from nlp import lexicon
from nlp.words import DEGREE, NEGATOR, POLAR, PUNCTUATION, Vocabulary, Word

# Full-width ASCII (ＡＢＣ，！？) to half-width, and the ideographic space to a space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_HALF_WIDTH_CHARS = {chr(wide): chr(half) for wide, half in _HALF_WIDTH.items()}
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_PUNCT = frozenset("，,。.！!？?；;：:、~～…\n ")
_DEGREE = lexicon.DEGREE_STRONG | lexicon.DEGREE_WEAK
_POLARITY = {word: "Lpos" for word in lexicon.POSITIVE} | {w: "Lneg" for w in lexicon.NEGATIVE}
_WECHAT_EMOTICON = re.compile(r"\[[\u4e00-\u9fffa-z]{1,4}\]")
_REPEATED = re.compile(r"([!?.。~])\1+")
_LATIN = re.compile(r"[a-z]{2,}")
_EMOJI = re.compile("[" + "".join(lexicon.EMOJI_POSITIVE | lexicon.EMOJI_NEGATIVE) + "]")
_EMOTICON_POS = re.compile("|".join(re.escape(e) for e in lexicon.EMOTICONS_POSITIVE))
_EMOTICON_NEG = re.compile("|".join(re.escape(e) for e in lexicon.EMOTICONS_NEGATIVE))
_SYMBOLS = re.compile(r"[^\u4e00-\u9fff，。、：；！？“”‘’（）…,]")  # anything worth a closer look
_NEGATION_SCOPE = 3  # tokens after a negator that it still governs


def normalize(text: str) -> str:
    """Full-width ASCII to half-width, lower case. Tokens are cut from this form."""
    # = text.translate(_HALF_WIDTH): translate() looks every character up, while a chat
    # line holds one or two distinct full-width marks (，？！), each replaced in one pass.
    for char in set(_WIDE.findall(text)):
        text = text.replace(char, _HALF_WIDTH_CHARS[char])
    return text.lower()


def extract(tokens: list[str], text: str) -> list[str]:
    """All features of one message, each once. `text` and `tokens` come normalized."""
    found = _char_ngrams(text)
    found += _word_features(tokens)
    if _SYMBOLS.search(text):
        found += _symbol_features(text)
    found.append(_length_bucket(len(text)))
    return list(set(found))


def _char_ngrams(norm: str) -> list[str]:
    # Bigrams only, with start and end marks: unigrams and trigrams were measured to add
    # nothing on the validation split (0.9302 without them vs 0.9305) and cost 45% of
    # the features, i.e. of the time per message.
    chars = "^" + "".join(norm.split()) + "$"
    return ["2" + chars[i : i + 2] for i in range(len(chars) - 1)]


def _word_features(words: list[str]) -> list[str]:
    out: list[str] = []
    scope = 0
    previous = "^"
    negators, polarity = lexicon.NEGATORS, _POLARITY
    for word in words:
        if word in _PUNCT:
            scope, previous = 0, "|"
            continue
        out.append("w" + word)
        out.append("W" + previous + "_" + word)
        mark = polarity.get(word)
        if scope:
            if mark:
                out.append(mark + "_negated")
            if word not in negators:
                out.append("N" + word)
        elif mark:
            out.append(mark)
        if previous in _DEGREE:
            out.append("D" + word)
        scope = _NEGATION_SCOPE if word in negators else scope - 1 if scope else 0
        previous = word
    return out


def _symbol_features(norm: str) -> list[str]:
    out = ["Erepeat" + match[0][:2] for match in _REPEATED.finditer(norm)]
    for emo in _WECHAT_EMOTICON.findall(norm):
        out.append("Ewx" + emo)
        out += _emoticon_class(emo in lexicon.WECHAT_POSITIVE, emo in lexicon.WECHAT_NEGATIVE)
    for emo in _EMOJI.findall(norm):
        out += _emoticon_class(emo in lexicon.EMOJI_POSITIVE, emo in lexicon.EMOJI_NEGATIVE)
    if _EMOTICON_POS.search(norm):
        out.append("Etxt+")
    if _EMOTICON_NEG.search(norm):
        out.append("Etxt-")
    if _LATIN.search(norm):
        out.append("Xlatin")
    return out


def _emoticon_class(positive: bool, negative: bool) -> list[str]:
    return ["Eemo+"] if positive else ["Eemo-"] if negative else []


def _length_bucket(length: int) -> str:
    for limit in (4, 8, 16, 32, 64, 128):
        if length <= limit:
            return f"Len{limit}"
    return "Len+"


# --- The message path: the same features, weighed as they are found -------------------
#
# `extract` builds every feature string and the model then looks each one up. On the
# message path `FeatureWeights.total` does the same arithmetic with fewer string
# operations, in three disjoint parts counted apart: the distinct bigrams, each one
# integer made in C (`_bigram_codes`), looked up in a table of their own; the distinct
# words, whose weight and lexicon role come with their `Word` (nlp.words), no feature
# string built; and the other features (pairs, negation, degree, lexicon, symbols,
# length), strings as `extract` builds them. tests/nlp/test_fast_path.py checks that
# both paths agree.

_LENGTH_BUCKETS = [_length_bucket(n) for n in range(129)]
_WEIGHT = attrgetter("weight")
_Add = Callable[[str], None]


def word_role(word: str) -> tuple[int, str | None]:
    """(Word.flags, polarity mark) of a token: its part in the features above."""
    if word in _PUNCT:
        return PUNCTUATION, None
    mark = _POLARITY.get(word)
    flags = (
        (NEGATOR if word in lexicon.NEGATORS else 0)
        | (DEGREE if word in _DEGREE else 0)
        | (POLAR if mark else 0)
    )
    return flags, mark


def _bigram_codes(chars: str) -> set[int]:
    """The distinct character bigrams of `chars` (2+ characters), each as the integer
    of its UTF-32 code units: made in C, no string object per bigram."""
    # "utf-32" (a byte-order mark, then native order) has a fast path in str.encode that
    # "utf-32-le" has not: about 3x faster for a chat line.
    data = memoryview(chars.encode("utf-32", "surrogatepass"))
    pairs = len(chars) - 1
    codes = set(data[4 : 4 + 8 * ((pairs + 1) // 2)].cast("Q").tolist())  # bigrams 0, 2, ...
    codes.update(data[8 : 8 + 8 * (pairs // 2)].cast("Q").tolist())  # bigrams 1, 3, ...
    return codes


class FeatureWeights:
    """A model's weights keyed as `total` builds its features; bare words apart."""

    def __init__(self, weights: dict[str, float]) -> None:
        self._weights: dict[str, float] = {}
        self._words: dict[str, float] = {}
        bigrams: dict[str, float] = {}
        for feature, weight in weights.items():
            family = feature[:1]
            if family == "2" and len(feature) == 3:
                bigrams[feature[1:]] = weight
            elif family == "w":
                self._words[feature[1:]] = weight
            else:
                self._weights[feature] = weight
        # All bigrams in one string: its UTF-32 read as 64-bit integers gives their codes.
        # A table of their own: two small tables stay in the CPU cache better than one
        # (measured: 5 % of the whole call).
        data = "".join(bigrams).encode("utf-32", "surrogatepass")[4:]  # as _bigram_codes
        codes = memoryview(data).cast("Q").tolist() if data else []
        self._bigrams: dict[int, float] = dict(zip(codes, bigrams.values(), strict=True))
        self.vocabulary = Vocabulary(self.word)

    def word(self, token: str, idf: float | None = None) -> Word:
        """`token`'s Word (`idf`: its interest-keyword IDF, None if it is none)."""
        flags, mark = word_role(token)
        return Word(flags, mark, self._words.get(token, 0.0), idf)

    def total(
        self,
        tokens: list[str],
        text: str,
        vocabulary: Vocabulary | None = None,
        words: dict[str, Word] | None = None,
    ) -> tuple[float, int]:
        """(sum of the weights, number of distinct features) of `extract(tokens, text)`.

        `tokens` and `text` come normalized (lower case), as for `extract`. `words`, if
        given, receives the distinct words (not punctuation) in order of appearance.
        """
        vocabulary = vocabulary or self.vocabulary
        words = {} if words is None else words
        parts = text.split()
        codes = _bigram_codes("^" + (parts[0] if len(parts) == 1 else "".join(parts)) + "$")
        found: set[str] = set()
        _any_words(tokens, vocabulary, words, found.add)
        if _SYMBOLS.search(text):
            found.update(_symbol_features(text))
        length = len(text)
        found.add(_LENGTH_BUCKETS[length] if length <= 128 else "Len+")
        total = sum(map(self._bigrams.get, codes, repeat(0.0)))
        total += sum(map(self._weights.get, found, repeat(0.0)))
        return total + sum(map(_WEIGHT, words.values())), len(codes) + len(found) + len(words)


def _any_words(
    tokens: list[str], vocabulary: Vocabulary, words: dict[str, Word], add: _Add
) -> None:
    """`_word_features` but for the bare words: those go to `words`, distinct, in order
    of first appearance, with their Word."""
    known, learn = vocabulary.known.get, vocabulary.learn
    scope, previous, after_degree = 0, "^", False
    for token in tokens:
        word = known(token) or learn(token)
        flags = word.flags
        if not flags:  # a plain word, most tokens
            words[token] = word
            add(f"W{previous}_{token}")
            if scope:
                add("N" + token)
                scope -= 1
            if after_degree:
                add("D" + token)
                after_degree = False
            previous = token
        elif flags & PUNCTUATION:
            scope, previous, after_degree = 0, "|", False
        else:
            words[token] = word
            add(f"W{previous}_{token}")
            if after_degree:
                add("D" + token)
            scope = _lexicon_features(word, token, scope, add)
            after_degree = bool(flags & DEGREE)
            previous = token


def _lexicon_features(word: Word, token: str, scope: int, add: _Add) -> int:
    """Adds the features of a lexicon word (negator, degree or polarity word) and
    returns the negation scope after it."""
    mark = word.mark
    if scope:
        if mark:
            add(mark + "_negated")
        if not word.flags & NEGATOR:
            add("N" + token)
    elif mark:
        add(mark)
    return _NEGATION_SCOPE if word.flags & NEGATOR else scope - 1 if scope else 0
