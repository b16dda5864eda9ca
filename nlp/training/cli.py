"""Entry point of `siyu nlp train` (and `python -m nlp.training.cli`).

Order: the leave-one-domain-out folds (the main figure), the shipped model on all of the
train part, then the neutral band from the folds' validation scores. The cross-domain
figures and the band are recorded in the model file, where `nlp.training.evaluate`
reads them back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nlp.sentiment import DEFAULT_MODEL, SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training import band as neutral_band
from nlp.training import baselines as baseline_models
from nlp.training import crossdomain, idf
from nlp.training.train import TrainConfig, featurize, read_model, report, run, write_model


def main(out: Path | None = None, baselines: bool = False) -> None:
    target = out or DEFAULT_MODEL
    print(f"wrote {idf.build()}")
    cfg, tokenizer = TrainConfig(), Tokenizer()
    folds = crossdomain.run(crossdomain.Corpus.load(tokenizer), cfg)
    results = run(target, cfg)
    evaluation = calibrate(target, folds, tokenizer)
    print(report(results, target))
    print("\n".join(recorded_lines(evaluation)))
    if baselines:
        for name, results in baseline_models.run().items():
            print(name)
            print("\n".join(f"  {part:18s} {result}" for part, result in results.items()))


def calibrate(target: Path, folds: list[crossdomain.Fold], tokenizer: Tokenizer) -> dict[str, Any]:
    """Chooses the band and records it with the fold figures in the model file."""
    model = SentimentModel.load(target)
    halves = neutral_band.neutral_chat()
    neutral = {
        part: [model.score(row) for row in featurize(lines, tokenizer)]
        for part, lines in zip(("calibration", "report"), halves, strict=True)
    }
    reviews = {
        "validation": [s for fold in folds for s in fold.validation.scores],
        "report": [s for fold in folds for s in fold.report.scores],
    }
    band = neutral_band.choose(reviews["validation"], neutral["calibration"])
    evaluation = {
        "cross_domain": crossdomain.summary(folds),
        "neutral_band": [band.low, band.high],
        "band_figures": neutral_band.figures(band, reviews, neutral),
    }
    data = read_model(target)
    write_model(data | {"evaluation": evaluation}, target)
    return evaluation


def recorded_lines(evaluation: dict[str, Any]) -> list[str]:
    """The cross-domain figures and the band as recorded at training."""
    lines = crossdomain.summary_lines(evaluation["cross_domain"])
    low, high = evaluation["neutral_band"]
    lines.append(f"neutral band [{low:.2f}, {high:.2f}] (chosen on the validation parts)")
    figures = evaluation["band_figures"]
    lines += [f"  {name}: {figures[name]:.4f}" for name in sorted(figures, reverse=True)]
    return lines


if __name__ == "__main__":
    paths = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(Path(paths[0]) if paths else None, "--baselines" in sys.argv)
