"""Leave-one-domain-out folds and the neutral band chosen from them."""

from __future__ import annotations

from dataclasses import replace

import sklearn  # noqa: F401  (the train extra, installed by make install: never skipped)

from nlp import NlpSettings
from nlp.sentiment import DEFAULT_MODEL
from nlp.tokenizer import Tokenizer
from nlp.training import crossdomain
from nlp.training.band import (
    MAX_REVIEWS_NEUTRAL,
    NO_CUE,
    Band,
    Row,
    choose,
    neutral_chat,
    rule_metrics,
)
from nlp.training.corpus import HOTEL, Example, bucket
from nlp.training.train import TrainConfig, featurize, read_model


def _corpus() -> crossdomain.Corpus:
    lines = [("很好", 1), ("不错", 1), ("满意", 1), ("很差", 0), ("难用", 0), ("失望", 0)]
    shared = [
        Example(f"{text}{domain}{i}", label, "test", domain)
        for domain in ("书籍", "酒店", HOTEL)
        for i in range(12)
        for text, label in lines
    ]
    own = [Example("好评", 1, "own"), Example("差评", 0, "own")]
    tokenizer = Tokenizer()
    return crossdomain.Corpus(shared, featurize(shared, tokenizer), own, featurize(own, tokenizer))


def test_a_fold_never_trains_on_its_domain_or_on_held_out_rows() -> None:
    corpus = _corpus()
    for domain in corpus.domains():
        trained = [corpus.shared[i] for i in crossdomain.train_indices(corpus, domain)]
        assert trained and all(bucket(ex.text) > 1 for ex in trained)
        assert domain not in {ex.domain for ex in trained}
    hotel_fold = {
        ex.domain for ex in (corpus.shared[i] for i in crossdomain.train_indices(corpus, HOTEL))
    }
    assert hotel_fold == {"书籍"}  # both hotel sources are left out together


def test_folds_score_every_row_of_the_left_out_domain() -> None:
    corpus = _corpus()
    folds = crossdomain.run(corpus, replace(TrainConfig(), min_df=1))
    assert [fold.domain for fold in folds] == sorted({"书籍", "酒店", HOTEL})
    for fold in folds:
        scored = len(fold.validation.scores) + len(fold.report.scores)
        assert scored == sum(1 for ex in corpus.shared if ex.domain == fold.domain)
    summary = crossdomain.summary(folds)
    assert set(summary) == {"书籍", "酒店", HOTEL, "mean"}


def _rows(scores: list[float], cue_free: int = NO_CUE) -> list[Row]:
    return [Row(score, cue_free) for score in scores]


def test_the_band_keeps_reviews_out_and_takes_in_neutral_lines() -> None:
    spread = _rows([0.01 * i for i in range(101)])
    wide = choose(spread, _rows([0.45, 0.5, 0.55]))
    assert wide.share_in(spread) <= MAX_REVIEWS_NEUTRAL
    # Reviews spread evenly: 3 % is a band 0.02 wide (about 0.5): the one holding most neutral lines.
    assert choose(spread, _rows([0.1, 0.49, 0.5, 0.51, 0.9])) == Band(0.49, 0.51)
    assert Band(0.4, 0.6).share_in(_rows([0.39, 0.4, 0.6, 0.61])) == 0.5
    # The band sits around the chosen binary threshold.
    assert choose(spread, _rows([0.6, 0.61]), threshold=0.6) == Band(0.6, 0.61)


def test_the_length_limit_takes_cue_free_lines_the_reviews_allow() -> None:
    reviews = _rows([0.01 * i for i in range(100)]) + [Row(0.9, 30)] * 2
    neutral = [Row(0.1, 6), Row(0.9, 10), Row(0.95, 20)]
    rule = choose(reviews, neutral)
    # 20 would hold every neutral line; 30 would also take the two cue-free reviews.
    assert rule.max_chars == 20 and rule.share_in(neutral) == 1.0
    # Three cue-free reviews of 18 characters rule 20 out; 12 holds as many lines as 16.
    assert choose(reviews + [Row(0.2, 18)] * 3, neutral).max_chars == 12


def test_the_three_way_rule_counts_neutral_reviews_as_wrong() -> None:
    rule = Band(0.4, 0.6, max_chars=10)
    rows = [Row(0.1, NO_CUE), Row(0.5, NO_CUE), Row(0.1, 5), Row(0.9, NO_CUE)]
    accuracy, negative_f1 = rule_metrics(rule, rows, [0, 0, 0, 1])
    assert accuracy == 0.5
    assert negative_f1 == 2 * 1 / (2 * 1 + 0 + 2)


def test_neutral_chat_halves_are_disjoint_and_complete() -> None:
    calibration, report = neutral_chat()
    assert calibration and report
    assert not {ex.text for ex in calibration} & {ex.text for ex in report}
    assert all(ex.label == 2 for ex in calibration + report)


def test_the_default_rule_is_the_one_training_chose() -> None:
    recorded = read_model(DEFAULT_MODEL)["evaluation"]["neutral_band"]
    settings = NlpSettings().sentiment
    assert [settings.neutral_low, settings.neutral_high] == recorded
    limit = read_model(DEFAULT_MODEL)["evaluation"]["opinion_max_chars"]
    assert settings.opinion_max_chars == limit


def test_the_threshold_is_chosen_on_the_validation_parts_only() -> None:
    # Validation: negatives score up to 0.6, so 0.61 separates; the reported part would
    # want 0.5, and must not move it.
    validation = crossdomain.Scored([0.2, 0.55, 0.6, 0.62, 0.9], [0, 0, 0, 1, 1])
    report = crossdomain.Scored([0.2, 0.45, 0.52, 0.9], [0, 0, 1, 1])
    folds = [crossdomain.Fold("书籍", validation, report)]
    assert crossdomain.choose_threshold(folds) == 0.61
    assert validation.metrics(0.61).accuracy == 1.0
    assert validation.metrics(0.5).accuracy == 0.6
