"""Baselines the shipped model is compared with (`siyu nlp train --baselines`).

1. snownlp's stock sentiment model (naive Bayes) applied to jieba tokens;
2. snownlp's Bayes classifier retrained on the train part of shared/data;
3. a plain linear model (same trainer, no pruning) on character 1-3-grams, words and word
   bigrams only, trained on shared/data only.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from nlp.features import normalize
from nlp.sentiment import SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.corpus import Example, short_test, short_test_hard, split_shared
from nlp.training.train import Metrics, TrainConfig, fit, metrics, write_model


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


def plain_features(example: Example, tokenizer: Tokenizer) -> list[str]:
    """Character 1-3-grams, words and word bigrams: nothing else."""
    text = normalize(example.text)
    chars = "".join(text.split())
    grams = [chars[i : i + n] for n in (1, 2, 3) for i in range(len(chars) - n + 1)]
    words = tokenizer.cut(text)
    pairs = [a + "_" + b for a, b in itertools.pairwise(words)]
    return list({*("c" + g for g in grams), *("w" + w for w in words), *("W" + p for p in pairs)})


def plain_linear(
    train: Sequence[Example], sets: dict[str, list[Example]], tokenizer: Tokenizer
) -> dict[str, Metrics]:
    cfg = replace(TrainConfig(), top_k=10**9)
    rows = [plain_features(ex, tokenizer) for ex in train]
    data = fit(rows, [ex.label for ex in train], [1.0] * len(train), cfg)
    path = Path(tempfile.gettempdir()) / "siyu-plain-linear.json.gz"
    write_model(data, path)
    model = SentimentModel.load(path)
    return {
        name: metrics(
            [int(model.score(plain_features(ex, tokenizer)) >= 0.5) for ex in examples],
            [ex.label for ex in examples],
        )
        for name, examples in sets.items()
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
