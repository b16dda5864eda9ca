"""Per-domain and per-class sample weights of the shared/data rows."""

from __future__ import annotations

from collections import defaultdict

import pytest

from nlp.training.corpus import Example
from nlp.training.weights import shared_weights


def _rows() -> list[Example]:
    big = [Example(f"a{i}", i % 2, "t", "big") for i in range(80)]
    small = [Example(f"b{i}", int(i < 5), "t", "small") for i in range(20)]
    return big + small


def _totals(examples: list[Example], weights: list[float], key: str) -> dict[object, float]:
    out: dict[object, float] = defaultdict(float)
    for ex, weight in zip(examples, weights, strict=True):
        out[ex.domain if key == "domain" else (ex.domain, ex.label)] += weight
    return dict(out)


def test_no_balance_weighs_every_row_once() -> None:
    assert shared_weights(_rows(), 0.0, 0.0) == [1.0] * 100


def test_full_domain_balance_makes_every_domain_count_alike() -> None:
    examples = _rows()
    totals = _totals(examples, shared_weights(examples, 1.0, 0.0), "domain")
    assert totals == pytest.approx({"big": 50.0, "small": 50.0})


def test_class_balance_evens_the_classes_inside_a_domain() -> None:
    examples = _rows()
    totals = _totals(examples, shared_weights(examples, 0.0, 1.0), "class")
    assert totals[("small", 0)] == pytest.approx(10.0)
    assert totals[("small", 1)] == pytest.approx(10.0)
    assert totals[("big", 0)] == pytest.approx(40.0)
