from __future__ import annotations

import pytest

import nlp
from nlp import Analyzer, NlpSettings
from nlp.tokenizer import Tokenizer


def test_user_words_from_config() -> None:
    analyzer = Analyzer(NlpSettings(user_words=["青柠气泡水"]))
    assert "青柠气泡水" in analyzer.analyze("我想喝青柠气泡水").tokens


def test_user_words_added_at_run_time_take_effect_at_once() -> None:
    analyzer = Analyzer(NlpSettings())
    assert "双十一狂欢节" not in analyzer.analyze("参加双十一狂欢节").tokens
    analyzer.add_user_words(["双十一狂欢节"])
    assert "双十一狂欢节" in analyzer.analyze("参加双十一狂欢节").tokens


def test_module_level_add_user_words() -> None:
    nlp.add_user_words(["云朵拿铁"])
    assert "云朵拿铁" in nlp.analyze("来一杯云朵拿铁").tokens


@pytest.mark.parametrize("prefer_rust", [True, False])
def test_backends_cut_alike(prefer_rust: bool) -> None:
    tokenizer = Tokenizer(["暖冬礼盒"], prefer_rust=prefer_rust)
    assert tokenizer.cut("快递太慢了，暖冬礼盒还没到") == [
        "快递",
        "太慢",
        "了",
        "，",
        "暖冬礼盒",
        "还",
        "没到",
    ]
