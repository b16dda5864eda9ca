"""Entry point of `siyu nlp train` (and `python -m nlp.training.cli`).

Order: the leave-one-domain-out folds (the main figure), the shipped model on all of the
train part, then the decision rule (binary threshold, neutral band, opinion length limit)
from the folds' validation scores. The cross-domain
figures and the band are recorded in the model file, where `nlp.training.evaluate`
reads them back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nlp.analyzer import Analyzer
from nlp.config import NlpSettings
from nlp.sentiment import DEFAULT_MODEL, SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training import band as neutral_band
from nlp.training import baselines as baseline_models
from nlp.training import crossdomain, idf
from nlp.training.corpus import read_tsv
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
    """Chooses the threshold and the rule (band, opinion length limit) on the validation
    parts and records them with the fold figures in the model file."""
    model = SentimentModel.load(target)
    analyzer = Analyzer(NlpSettings(sentiment={"model_path": str(target)}))
    threshold = crossdomain.choose_threshold(folds)
    neutral = _neutral_rows(analyzer, model, tokenizer)
    per_fold = {
        fold.domain: {part: _fold_rows(analyzer, fold, part) for part in _PARTS} for fold in folds
    }
    reviews = {part: [r for rows in per_fold.values() for r in rows[part]] for part in _PARTS}
    rule = neutral_band.choose(reviews["validation"], neutral["calibration"], threshold)
    evaluation = {
        "cross_domain": crossdomain.summary(folds, threshold),
        "threshold": threshold,
        "neutral_band": [rule.low, rule.high],
        "opinion_max_chars": rule.max_chars,
        "band_figures": neutral_band.figures(rule, reviews, neutral),
        "rule": _rule_summary(rule, folds, per_fold),
    }
    write_model(read_model(target) | {"evaluation": evaluation}, target)
    return evaluation


_PARTS = ("validation", "report")


def _neutral_rows(
    analyzer: Analyzer, model: SentimentModel, tokenizer: Tokenizer
) -> dict[str, list[neutral_band.Row]]:
    calibration, report = neutral_band.neutral_chat()
    sets = {"calibration": calibration, "report": report}
    sets["report 2"] = read_tsv(neutral_band.NEUTRAL_CHAT_2)
    return {
        part: neutral_band.rows(
            analyzer,
            [model.score(row) for row in featurize(lines, tokenizer)],
            [ex.text for ex in lines],
        )
        for part, lines in sets.items()
    }


def _fold_rows(analyzer: Analyzer, fold: crossdomain.Fold, part: str) -> list[neutral_band.Row]:
    scored = getattr(fold, part)
    return neutral_band.rows(analyzer, scored.scores, scored.texts)


def _rule_summary(
    rule: neutral_band.Band,
    folds: list[crossdomain.Fold],
    per_fold: dict[str, dict[str, list[neutral_band.Row]]],
) -> dict[str, dict[str, list[float]]]:
    """{domain or "mean": {part: [accuracy, negative F1]}} under the three-way rule."""
    out = {
        fold.domain: {
            part: [
                round(x, 4)
                for x in neutral_band.rule_metrics(
                    rule, per_fold[fold.domain][part], getattr(fold, part).labels
                )
            ]
            for part in _PARTS
        }
        for fold in folds
    }
    out["mean"] = {
        part: [round(sum(out[f.domain][part][i] for f in folds) / len(folds), 4) for i in (0, 1)]
        for part in _PARTS
    }
    return out


def recorded_lines(evaluation: dict[str, Any]) -> list[str]:
    """The cross-domain figures and the rule as recorded at training."""
    threshold = evaluation.get("threshold", 0.5)
    lines = [f"binary threshold {threshold:.2f} (chosen on the validation parts)"]
    lines += crossdomain.summary_lines(evaluation["cross_domain"])
    low, high = evaluation["neutral_band"]
    limit = evaluation.get("opinion_max_chars", 0)
    lines.append(
        f"neutral: score in [{low:.2f}, {high:.2f}], or no opinion cue in at most {limit} "
        "characters (chosen on the validation parts)"
    )
    figures = evaluation["band_figures"]
    lines += [f"  {name}: {figures[name]:.4f}" for name in sorted(figures, reverse=True)]
    rule = evaluation.get("rule", {})
    if rule:
        lines.append("under the three-way rule (neutral counts as wrong): validation | reported")
        for domain in sorted(rule, key=lambda name: (name == "mean", name)):
            (va, vf), (ra, rf) = rule[domain]["validation"], rule[domain]["report"]
            lines.append(f"  {domain}: acc={va:.4f} negF1={vf:.4f} | acc={ra:.4f} negF1={rf:.4f}")
    return lines


if __name__ == "__main__":
    paths = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(Path(paths[0]) if paths else None, "--baselines" in sys.argv)
