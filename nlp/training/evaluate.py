"""Evaluate the shipped (or a given) sentiment model without training:

python -m nlp.training.evaluate [--model weights.json.gz] [--csv labelled.csv ...]

Without --csv: the fixed held-out split of shared/data and the short sets (in-split), then
the leave-one-domain-out figures and the neutral band recorded in the model file by
`siyu nlp train` (folds need training, so they are read back, not recomputed). With --csv: any
file of `label,review` rows (1 positive, 0 negative, UTF-8 with or without BOM), e.g. a
brand's own labelled chats, so the model can be checked on text it was never trained on.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from nlp.sentiment import DEFAULT_MODEL, SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.cli import recorded_lines
from nlp.training.corpus import Example
from nlp.training.train import evaluate, evaluate_sets, featurize, read_model


def read_labelled(path: Path) -> list[Example]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [(r.get("label", ""), (r.get("review") or "").strip()) for r in csv.DictReader(fh)]
    kept = [(label, text) for label, text in rows if label in ("0", "1") and text]
    return [Example(text, int(label), path.name) for label, text in kept]


def balanced_accuracy(model: SentimentModel, rows: list[list[str]], labels: list[int]) -> float:
    recalls = []
    for wanted in (0, 1):
        mine = [row for row, label in zip(rows, labels, strict=True) if label == wanted]
        right = sum(1 for row in mine if (model.score(row) >= 0.5) == bool(wanted))
        recalls.append(right / len(mine) if mine else 0.0)
    return sum(recalls) / 2


def evaluate_csv(model: SentimentModel, tokenizer: Tokenizer, path: Path) -> str:
    examples = read_labelled(path)
    if not examples:
        raise SystemExit(f"{path}: no `label,review` rows with label 0 or 1 found")
    rows, labels = featurize(examples, tokenizer), [ex.label for ex in examples]
    negatives = labels.count(0)
    result = evaluate(model, rows, labels)
    balanced = balanced_accuracy(model, rows, labels)
    return (
        f"{path.name:18s} {result}  balanced_accuracy={balanced:.4f}  "
        f"(positive {len(labels) - negatives}, negative {negatives})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate the sentiment model, no training.")
    parser.add_argument("--model", type=Path, default=None, help="weights (default: shipped)")
    parser.add_argument("--csv", type=Path, nargs="*", default=[], help="label,review files")
    args = parser.parse_args(argv)
    model = SentimentModel.load(args.model or DEFAULT_MODEL)
    tokenizer = Tokenizer()
    if args.csv:
        for path in args.csv:
            print(evaluate_csv(model, tokenizer, path))
        return
    for name, result in evaluate_sets(model, tokenizer).items():
        print(f"{name:18s} {result}")
    evaluation = read_model(args.model or DEFAULT_MODEL).get("evaluation")
    if evaluation:
        print("\n".join(recorded_lines(evaluation)))


if __name__ == "__main__":
    main()
