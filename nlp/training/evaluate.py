"""Evaluate the shipped (or a given) sentiment model without training:

python -m nlp.training.evaluate [weights.json.gz]
"""

from __future__ import annotations

import sys

from nlp.sentiment import DEFAULT_MODEL, SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.train import evaluate_sets


def main(path: str | None = None) -> None:
    model = SentimentModel.load(path or DEFAULT_MODEL)
    for name, result in evaluate_sets(model, Tokenizer()).items():
        print(f"{name:18s} {result}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
