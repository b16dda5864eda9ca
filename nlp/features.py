"""Text -> sparse binary features, shared by training and the message path.

Character bigrams carry the domain-free signal; word n-grams, negation scope, degree
words, a small polarity lexicon, emoji, emoticons, repeated punctuation and mixed
Chinese/English carry what short chat lines say. Everything here is plain Python and
runs for every message, hence the flat loops.
"""

from __future__ import annotations

import re
from itertools import repeat

from nlp import lexicon

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
# operations: a bigram is one integer made in C (`_bigram_codes`) and a word feature is
# the bare word. The keys stay distinct: integers never equal strings, words come from
# lower-case text and so never start with the upper-case letter every other feature
# starts with. tests/nlp/test_fast_path.py checks that both paths agree.

_LEXICON_NEGATOR, _LEXICON_DEGREE = 1, 2
_PUNCTUATION = (0, None)


def _lexicon_flags() -> dict[str, tuple[int, str | None]]:
    """word -> (negator / degree bits, polarity mark) for every lexicon word."""
    words = lexicon.NEGATORS | _DEGREE | _POLARITY.keys()
    return {
        word: (
            (_LEXICON_NEGATOR if word in lexicon.NEGATORS else 0)
            | (_LEXICON_DEGREE if word in _DEGREE else 0),
            _POLARITY.get(word),
        )
        for word in words
    }


# Words missing here are plain: they only make word, pair and negated/degree features.
_WORD_INFO: dict[str, tuple[int, str | None]] = {
    **_lexicon_flags(),
    **dict.fromkeys(_PUNCT, _PUNCTUATION),
}
_LENGTH_BUCKETS = [_length_bucket(n) for n in range(129)]


def _bigram_codes(chars: str) -> set[int | str]:
    """The distinct character bigrams of `chars` (2+ characters), each as the integer
    of its UTF-32 code units: made in C, no string object per bigram."""
    data = memoryview(chars.encode("utf-32-le", "surrogatepass"))
    pairs = len(chars) - 1
    codes: set[int | str] = set(data[: 8 * ((pairs + 1) // 2)].cast("Q").tolist())  # 0, 2, ...
    codes.update(data[4 : 4 + 8 * (pairs // 2)].cast("Q").tolist())  # bigrams 1, 3, ...
    return codes


class FeatureWeights:
    """A model's weights keyed as `total` builds its features."""

    def __init__(self, weights: dict[str, float]) -> None:
        self._weights: dict[int | str, float] = {}
        bigrams: dict[str, float] = {}
        for feature, weight in weights.items():
            family = feature[:1]
            if family == "2" and len(feature) == 3:
                bigrams[feature[1:]] = weight
            elif family == "w":
                self._weights[feature[1:]] = weight
            else:
                self._weights[feature] = weight
        # All bigrams in one string: its UTF-32 read as 64-bit integers gives their codes.
        data = "".join(bigrams).encode("utf-32-le", "surrogatepass")
        codes = memoryview(data).cast("Q").tolist() if data else []
        self._weights.update(zip(codes, bigrams.values(), strict=True))

    def total(self, tokens: list[str], text: str) -> tuple[float, int]:
        """(sum of the weights, number of distinct features) of `extract(tokens, text)`.

        `tokens` and `text` come normalized (lower case), as for `extract`.
        """
        parts = text.split()
        found = _bigram_codes("^" + (parts[0] if len(parts) == 1 else "".join(parts)) + "$")
        add = found.add
        scope = 0
        previous = "^"
        after_degree = False
        info_of = _WORD_INFO.get
        for word in tokens:
            info = info_of(word)
            if info is None:  # a plain word, most tokens: the general case below, shortened
                add(word)
                add(f"W{previous}_{word}")
                if scope:
                    add("N" + word)
                    scope -= 1
                if after_degree:
                    add("D" + word)
                    after_degree = False
                previous = word
                continue
            if info is _PUNCTUATION:
                scope, previous, after_degree = 0, "|", False
                continue
            add(word)
            add(f"W{previous}_{word}")
            flags, mark = info
            if scope:
                if mark:
                    add(mark + "_negated")
                if not flags & _LEXICON_NEGATOR:
                    add("N" + word)
            elif mark:
                add(mark)
            if after_degree:
                add("D" + word)
            scope = _NEGATION_SCOPE if flags & _LEXICON_NEGATOR else scope - 1 if scope else 0
            after_degree = bool(flags & _LEXICON_DEGREE)
            previous = word
        if _SYMBOLS.search(text):
            found.update(_symbol_features(text))
        length = len(text)
        add(_LENGTH_BUCKETS[length] if length <= 128 else "Len+")
        return sum(map(self._weights.get, found, repeat(0.0))), len(found)
