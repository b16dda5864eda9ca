"""Leave-one-domain-out folds and the neutral band chosen from them."""

from __future__ import annotations

from dataclasses import replace

import sklearn  # noqa: F401  (the train extra, installed by make install: never skipped)

from nlp import NlpSettings
from nlp.sentiment import DEFAULT_MODEL
from nlp.tokenizer import Tokenizer
from nlp.training import crossdomain
from nlp.training.band import MAX_REVIEWS_IN_BAND, Band, choose, neutral_chat
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


def test_the_band_keeps_reviews_out_and_takes_in_neutral_lines() -> None:
    spread = [0.01 * i for i in range(101)]
    wide = choose(spread, [0.45, 0.5, 0.55])
    assert wide.share_in(spread) <= MAX_REVIEWS_IN_BAND
    # Reviews spread evenly: 3 % is a band 0.02 wide (about 0.5): the one holding most neutral lines.
    assert choose(spread, [0.1, 0.49, 0.5, 0.51, 0.9]) == Band(0.49, 0.51)
    assert Band(0.4, 0.6).share_in([0.39, 0.4, 0.6, 0.61]) == 0.5


def test_neutral_chat_halves_are_disjoint_and_complete() -> None:
    calibration, report = neutral_chat()
    assert calibration and report
    assert not {ex.text for ex in calibration} & {ex.text for ex in report}
    assert all(ex.label == 2 for ex in calibration + report)


def test_the_default_band_is_the_one_training_chose() -> None:
    recorded = read_model(DEFAULT_MODEL)["evaluation"]["neutral_band"]
    settings = NlpSettings().sentiment
    assert [settings.neutral_low, settings.neutral_high] == recorded
