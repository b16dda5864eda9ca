from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sklearn  # noqa: F401  (the train extra, installed by make install: never skipped)

from nlp.sentiment import SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.corpus import Example, bucket, material, short_test, short_test_hard
from nlp.training.generate import generate
from nlp.training.train import TrainConfig, expand_neutral, featurize, fit, write_model


def tiny() -> list[Example]:
    lines = [(1, "很好吃"), (1, "送得很快"), (1, "满意"), (0, "难吃"), (0, "太慢了"), (0, "差评")]
    return [Example(text, label, "test") for label, text in lines] * 3


def test_training_is_reproducible_and_loads(tmp_path: Path) -> None:
    tokenizer = Tokenizer()
    examples = tiny()
    rows = featurize(examples, tokenizer)
    cfg = replace(TrainConfig(), min_df=1)
    paths = [tmp_path / "a.json.gz", tmp_path / "b.json.gz"]
    for path in paths:
        write_model(fit(rows, [ex.label for ex in examples], [1.0] * len(rows), cfg), path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    model = SentimentModel.load(paths[0])
    assert model.score(featurize([Example("很好吃", 1, "t")], tokenizer)[0]) > 0.5


def test_neutral_lines_count_both_ways() -> None:
    out = expand_neutral([Example("在吗", 2, "n"), Example("好", 1, "p")])
    assert [ex.label for ex in out] == [0, 1, 1]


def test_split_is_a_fixed_function_of_the_text() -> None:
    assert bucket("很好吃") == bucket("很好吃")
    assert {bucket(str(i)) for i in range(200)} == set(range(10))


def test_material_is_deterministic_and_every_line_has_a_source() -> None:
    assert generate(50) == generate(50)
    lines = material()
    assert len(lines) > 2500
    assert all(ex.source and ex.label in (0, 1, 2) for ex in lines)


def test_held_out_sets_are_labelled() -> None:
    for examples in (short_test(), short_test_hard()):
        assert examples and all(ex.label in (0, 1) for ex in examples)
