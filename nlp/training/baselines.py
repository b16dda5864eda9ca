"""Baselines the shipped model is compared with (`siyu nlp train --baselines`).

1. snownlp's stock sentiment model (naive Bayes) applied to jieba tokens;
2. snownlp's Bayes classifier retrained on the train part of shared/data;
3. a plain linear model (same trainer) on character and word n-grams only, shared/data only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from nlp.sentiment import SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.corpus import Example, short_test, short_test_hard, split_shared
from nlp.training.train import Metrics, TrainConfig, featurize, fit, metrics, write_model

PLAIN_PREFIXES = ("1", "2", "3", "w", "W")


def _bayes_metrics(
    classifier: object, sets: dict[str, list[Example]], tokenizer: Tokenizer
) -> dict[str, Metrics]:
    out = {}
    for name, examples in sets.items():
        predicted = []
        for ex in examples:
            label, prob = classifier.classify(tokenizer.cut(ex.text))  # type: ignore[attr-defined]
            predicted.append(1 if (label == "pos") == (prob >= 0.5) else 0)
        out[name] = metrics(predicted, [ex.label for ex in examples])
    return out


def snownlp_stock(sets: dict[str, list[Example]], tokenizer: Tokenizer) -> dict[str, Metrics]:
    from snownlp.classification.bayes import Bayes
    from snownlp.sentiment import data_path

    classifier = Bayes()
    classifier.load(data_path)
    return _bayes_metrics(classifier, sets, tokenizer)


def snownlp_retrained(
    train: Sequence[Example], sets: dict[str, list[Example]], tokenizer: Tokenizer
) -> dict[str, Metrics]:
    from snownlp.classification.bayes import Bayes

    classifier = Bayes()
    classifier.train([(tokenizer.cut(ex.text), "pos" if ex.label else "neg") for ex in train])
    return _bayes_metrics(classifier, sets, tokenizer)


def plain_linear(
    train: Sequence[Example], sets: dict[str, list[Example]], tokenizer: Tokenizer
) -> dict[str, Metrics]:
    def plain(rows: list[list[str]]) -> list[list[str]]:
        return [[f for f in row if f.startswith(PLAIN_PREFIXES)] for row in rows]

    cfg = replace(TrainConfig(), top_k=10**9)
    data = fit(
        plain(featurize(train, tokenizer)), [ex.label for ex in train], [1.0] * len(train), cfg
    )
    path = Path("/tmp/siyu-plain-linear.json.gz")
    write_model(data, path)
    model = SentimentModel.load(path)
    return {
        name: metrics(
            [int(model.score(row) >= 0.5) for row in plain(featurize(ex, tokenizer))],
            [e.label for e in ex],
        )
        for name, ex in sets.items()
    }


def run() -> dict[str, dict[str, Metrics]]:
    tokenizer = Tokenizer()
    parts = split_shared()
    sets = {
        "shared/data test": parts["test"],
        "short test": short_test(),
        "short test hard": short_test_hard(),
    }
    return {
        "snownlp stock Bayes (jieba tokens)": snownlp_stock(sets, tokenizer),
        "snownlp Bayes retrained on shared/data": snownlp_retrained(
            parts["train"], sets, tokenizer
        ),
        "plain linear char+word n-grams, shared/data": plain_linear(
            parts["train"], sets, tokenizer
        ),
    }
