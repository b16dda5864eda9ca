"""The round-4 training options and tries (nlp/README.md): each does what its try claims."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from nlp.features import extract, normalize
from nlp.sentiment import SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training import tries
from nlp.training.corpus import Example
from nlp.training.crossdomain import Corpus
from nlp.training.train import TrainConfig, nb_consistency, with_dropout

# Rows: (domain, label, features). "every" leans positive in a, b and c, "one" is only in
# a, "split" leans positive in a and b but negative in c; "rare" occurs once in a and once
# in b (a domain counts a feature it holds at least twice); "lopsided" leans negative in c
# and, by its rate in each class, in d too, though d's positive rows hold it more often.
ROWS = 2 * [
    ("a", 1, {"every", "one", "split"}),
    ("a", 0, set()),
    ("b", 1, {"every", "split"}),
    ("b", 1, {"every", "split"}),
    ("b", 0, set()),
    ("c", 1, {"every"}),
    ("c", 0, {"split", "lopsided"}),
    ("c", 0, {"split", "lopsided"}),
]
ROWS += [("a", 1, {"rare"}), ("b", 1, {"rare"})]
ROWS += [("d", 1, {"lopsided"})] * 2 + [("d", 1, set())] * 4
ROWS += [("d", 0, {"lopsided"}), ("d", 0, set())]
COLUMNS = ["every", "one", "split", "rare", "lopsided"]


def _matrix() -> csr_matrix:
    dense = [[1.0 if f in feats else 0.0 for f in COLUMNS] for _, _, feats in ROWS]
    return csr_matrix(np.asarray(dense))


def _consistency(ratios: list[float]) -> list[float]:
    labels, domains = [y for _, y, _ in ROWS], [d for d, _, _ in ROWS]
    return list(nb_consistency(_matrix(), labels, domains, np.asarray(ratios)))


def test_consistency_is_the_share_of_domains_leaning_the_pooled_way() -> None:
    factor = _consistency([1.0, 1.0, 1.0, 1.0, -1.0])
    assert factor == pytest.approx([3 / 4, 1 / 4, 2 / 4, 1 / 4, 2 / 4])


def test_consistency_counts_against_a_ratio_of_the_other_sign() -> None:
    factor = _consistency([-1.0, 1.0, -1.0, 1.0, 1.0])
    assert factor == pytest.approx([1 / 4, 1 / 4, 1 / 4, 1 / 4, 1 / 4])  # at least 1/D


def test_dropout_adds_one_noised_copy_of_each_row_the_same_every_time() -> None:
    rows = [sorted(f"f{i}" for i in range(20)), ["only"]]
    cfg = replace(TrainConfig(), dropout_keep=0.5)
    out, labels, weights, domains = with_dropout(rows, [1, 0], [1.0, 2.0], ["a", "b"], cfg)
    assert out[:2] == rows and labels == [1, 0, 1, 0] and weights == [1.0, 2.0, 1.0, 2.0]
    assert domains == ["a", "b", "a", "b"]
    assert set(out[2]) < set(rows[0]) and 3 <= len(out[2]) <= 17
    assert out[3] == ["only"]  # never empty
    shuffled = [list(reversed(rows[0])), rows[1]]  # a row's order is a set's: no matter
    assert with_dropout(shuffled, [1, 0], [1.0, 2.0], None, cfg)[0][2:] == out[2:]


def test_a_length_power_divides_both_paths_by_that_power_of_the_count() -> None:
    tokenizer = Tokenizer()
    text = normalize("房间很干净，但是隔音太差了")
    tokens = tokenizer.cut(text)
    features = extract(tokens, text)
    weights = {f: 0.1 * (i % 7 - 3) for i, f in enumerate(sorted(features))}
    model = SentimentModel(weights, 0.2, length_power=1.0)
    z = 0.2 + sum(weights.values()) / len(features)
    assert model.score(features) == pytest.approx(1 / (1 + math.exp(-z)))
    assert model.score_message(tokens, text) == pytest.approx(model.score(features))


def test_contrast_marks_the_clause_after_but_to_the_sentence_end() -> None:
    tokens = Tokenizer().cut("房间不错，但是隔音太差了。早餐好吃")
    found = tries.contrast(tokens, "")
    assert {"Cstart", "C隔音", "Cneg"} <= set(found)
    assert not {"C房间", "C不错", "C早餐", "C好吃", "Cpos"} & set(found)


def test_char_ngrams_have_their_length_as_family_and_the_marks() -> None:
    assert tries.char_ngrams(4)([], "太 差了") == ["4^太差了", "4太差了$"]
    assert tries.char_ngrams(3)([], "好") == ["3^好$"]


def test_an_extra_family_reaches_every_row_of_the_corpus() -> None:
    tokenizer = Tokenizer()
    corpus = Corpus([], [], [], [])
    shared = replace(
        corpus, shared=[Example("不错，但是太贵", 1, "t", "a")], shared_rows=[["2不错"]]
    )
    out = tries.with_extra(shared, tries.contrast, tokenizer)
    assert "Cstart" in out.shared_rows[0] and "2不错" in out.shared_rows[0]


def test_every_try_has_a_name_and_an_unknown_one_lists_them() -> None:
    assert {"shipped", "contrast", "nb-consistency-1", "dropout-0.5"} <= set(tries.TRIES)
    with pytest.raises(SystemExit, match="shipped"):
        tries.main(["no-such-try"])
