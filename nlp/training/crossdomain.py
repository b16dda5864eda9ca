"""Leave-one-domain-out evaluation: the figure models and settings are chosen by.

shared/data holds 11 domains (10 product categories and the ChnSentiCorp hotel reviews).
A fold trains on the train part of the other domains plus our material and scores the
left-out domain, which it never saw: what an unseen brand's customers look like to the
model. The two hotel sources are one kind of text, so a hotel fold leaves out both.

Each left-out domain is scored in two parts: its validation rows (md5 bucket 1) choose
settings and the neutral band; everything else in it (the other nine buckets) is the
reported figure, never looked at while choosing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nlp.sentiment import SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.corpus import DOMAIN_GROUPS, Example, bucket, material, shared_examples
from nlp.training.train import (
    Metrics,
    TrainConfig,
    expand_neutral,
    featurize,
    fit,
    metrics,
    training_material,
)
from nlp.training.weights import shared_weights

MATERIAL = "material"  # our own lines count as one domain of their own
VALIDATION_BUCKET = 1
TEST_BUCKET = 0
THRESHOLDS = [round(0.35 + 0.01 * i, 2) for i in range(31)]


@dataclass(frozen=True)
class Scored:
    """One left-out domain's part: scores P(positive), the labels and the texts."""

    scores: list[float]
    labels: list[int]
    texts: list[str] = field(default_factory=list)

    def metrics(self, threshold: float = 0.5) -> Metrics:
        """Read as binary: positive from `threshold` up."""
        return metrics([int(s >= threshold) for s in self.scores], self.labels)


@dataclass(frozen=True)
class Fold:
    domain: str
    validation: Scored
    report: Scored


@dataclass(frozen=True)
class Corpus:
    """shared/data (deduplicated, with features) and the expanded material, once."""

    shared: list[Example]
    shared_rows: list[list[str]]
    own: list[Example]
    own_rows: list[list[str]]

    @classmethod
    def load(cls, tokenizer: Tokenizer) -> Corpus:
        shared = _dedup(shared_examples())
        own = expand_neutral(training_material(material()))
        return cls(shared, featurize(shared, tokenizer), own, featurize(own, tokenizer))

    def domains(self) -> list[str]:
        return sorted({ex.domain for ex in self.shared})


def _dedup(examples: Iterable[Example]) -> list[Example]:
    seen: set[str] = set()
    out = []
    for ex in examples:
        if ex.text not in seen:
            seen.add(ex.text)
            out.append(ex)
    return out


def group(domain: str) -> str:
    return DOMAIN_GROUPS.get(domain, domain)


def train_indices(corpus: Corpus, domain: str) -> list[int]:
    """The shared rows a fold leaving out `domain` trains on: the train part (the
    buckets the shipped model trains on) of every other group of domains."""
    left_out = group(domain)
    return [
        i
        for i, ex in enumerate(corpus.shared)
        if bucket(ex.text) not in (TEST_BUCKET, VALIDATION_BUCKET) and group(ex.domain) != left_out
    ]


def fit_without(corpus: Corpus, domain: str, cfg: TrainConfig) -> SentimentModel:
    """The model of the fold leaving out `domain` (and its group)."""
    train = train_indices(corpus, domain)
    examples = [corpus.shared[i] for i in train]
    rows = [corpus.shared_rows[i] for i in train] + corpus.own_rows
    labels = [ex.label for ex in examples] + [ex.label for ex in corpus.own]
    weights = shared_weights(examples, cfg.domain_balance, cfg.class_balance)
    domains = [ex.domain for ex in examples] + [MATERIAL] * len(corpus.own)
    data = fit(rows, labels, weights + [cfg.material_weight] * len(corpus.own), cfg, domains)
    return SentimentModel(data["weights"], data["bias"], data["length_power"])


def score_domain(corpus: Corpus, domain: str, model: SentimentModel) -> Fold:
    """`domain`'s rows scored by a model that never saw them, in their two parts."""
    parts: dict[bool, tuple[list[float], list[int], list[str]]] = {
        True: ([], [], []),
        False: ([], [], []),
    }
    for ex, row in zip(corpus.shared, corpus.shared_rows, strict=True):
        if ex.domain == domain:
            scores, gold, texts = parts[bucket(ex.text) == VALIDATION_BUCKET]
            scores.append(model.score(row))
            gold.append(ex.label)
            texts.append(ex.text)
    return Fold(domain, Scored(*parts[True]), Scored(*parts[False]))


def run(corpus: Corpus, cfg: TrainConfig) -> list[Fold]:
    """Every domain's fold; domains of one group share their fold's model (one fit)."""
    models: dict[str, SentimentModel] = {}
    folds = []
    for domain in corpus.domains():
        if group(domain) not in models:
            models[group(domain)] = fit_without(corpus, domain, cfg)
        folds.append(score_domain(corpus, domain, models[group(domain)]))
    return folds


def mean(folds: Sequence[Fold], part: str, threshold: float = 0.5) -> tuple[float, float]:
    """Mean over domains (each domain counts once) of accuracy and negative F1."""
    figures = [getattr(fold, part).metrics(threshold) for fold in folds]
    return (
        sum(m.accuracy for m in figures) / len(figures),
        sum(m.negative_f1 for m in figures) / len(figures),
    )


def choose_threshold(folds: Sequence[Fold]) -> float:
    """The binary threshold with the best validation mean of accuracy plus negative F1
    (their sum: the issue's target is both); ties go to the one nearest 0.5."""
    return max(THRESHOLDS, key=lambda t: (sum(mean(folds, "validation", t)), -abs(t - 0.5)))


def summary(folds: Sequence[Fold], threshold: float = 0.5) -> dict[str, dict[str, list[float]]]:
    """{domain or "mean": {"validation" | "report": [n, accuracy, negative F1]}}."""
    out: dict[str, dict[str, list[float]]] = {}
    for fold in folds:
        out[fold.domain] = {
            part: _triple(getattr(fold, part).metrics(threshold))
            for part in ("validation", "report")
        }
    out["mean"] = {
        part: [float(len(folds)), *(round(x, 4) for x in mean(folds, part, threshold))]
        for part in ("validation", "report")
    }
    return out


def _triple(m: Metrics) -> list[float]:
    return [float(m.n), round(m.accuracy, 4), round(m.negative_f1, 4)]


def summary_lines(summary: dict[str, dict[str, list[float]]]) -> list[str]:
    """The table of `summary`: each left-out domain (for "mean": over domains, each once)."""
    lines = ["leave-one-domain-out: validation bucket (chooses) | the other buckets (reported)"]
    # The model file stores keys sorted: put the parts and the mean back in order.
    for domain in sorted(summary, key=lambda name: (name == "mean", name)):
        parts = summary[domain]
        cells = [
            f"n={int(n):5d} acc={acc:.4f} negF1={f1:.4f}"
            for n, acc, f1 in (parts["validation"], parts["report"])
        ]
        lines.append(f"  {domain}{' ' * (8 - _width(domain))} {cells[0]} | {cells[1]}")
    return lines


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
