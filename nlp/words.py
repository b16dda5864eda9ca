"""What the message path needs to know about a word, worked out once per word.

Every token used to be looked up in the lexicon and the sentiment weights, then in the
stop words and the IDF table. A `Word` holds all the answers, so a token costs one
lookup in a table of the words seen so far, which stays small and in the CPU cache.
"""

from __future__ import annotations

from collections.abc import Callable

PUNCTUATION, NEGATOR, DEGREE, POLAR = 1, 2, 4, 8  # Word.flags; 0: a plain word


class Word:
    """One distinct token's facts (a plain slotted class: cheap to read)."""

    __slots__ = ("flags", "idf", "mark", "weight")

    def __init__(self, flags: int, mark: str | None, weight: float, idf: float | None) -> None:
        self.flags = flags  # PUNCTUATION, NEGATOR, DEGREE, POLAR bits
        self.mark = mark  # the polarity feature (Lpos / Lneg) of a lexicon word
        self.weight = weight  # the sentiment weight of the bare word, 0.0 without one
        self.idf = idf  # None: never an interest keyword


class Vocabulary:
    """Token -> Word, learned on first sight and kept (up to `limit` words).

    Safe to share between threads: a word learned twice at once keeps the first Word.
    """

    def __init__(self, learn: Callable[[str], Word], limit: int = 50_000) -> None:
        self.known: dict[str, Word] = {}
        self._learn = learn
        self._limit = limit

    def learn(self, token: str) -> Word:
        word = self._learn(token)
        if len(self.known) < self._limit:
            word = self.known.setdefault(token, word)
        return word
