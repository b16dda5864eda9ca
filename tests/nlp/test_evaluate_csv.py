from pathlib import Path

from nlp.sentiment import DEFAULT_MODEL, SentimentModel
from nlp.tokenizer import Tokenizer
from nlp.training.evaluate import evaluate_csv, read_labelled


def test_a_labelled_csv_is_read_with_bom_and_bad_rows_skipped(tmp_path: Path) -> None:
    path = tmp_path / "chats.csv"
    path.write_text(
        "label,review\n1,送餐很快，味道很好\n0,太难吃了，再也不点了\n2,不算\n1,\n0,等了两个小时还没到\n",
        encoding="utf-8-sig",
    )
    examples = read_labelled(path)
    assert [(ex.label, ex.text) for ex in examples] == [
        (1, "送餐很快，味道很好"),
        (0, "太难吃了，再也不点了"),
        (0, "等了两个小时还没到"),
    ]
    line = evaluate_csv(SentimentModel.load(DEFAULT_MODEL), Tokenizer(), path)
    assert "n=     3  accuracy=1.0000" in line
    assert "(positive 1, negative 2)" in line
