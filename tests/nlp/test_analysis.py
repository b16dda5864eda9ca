from __future__ import annotations

import dataclasses
import json

import pytest

import nlp
from nlp import Analysis, Analyzer, Intent, SentimentLabel, TagHit, TagSource


def test_module_level_analyze_needs_no_setup() -> None:
    result = nlp.analyze("快递太慢了，客服也不理人，差评！")
    assert isinstance(result, Analysis)
    assert result.sentiment.label is SentimentLabel.NEGATIVE
    assert result.intent is Intent.COMPLAINT


def test_result_is_typed_and_frozen(analyzer: Analyzer) -> None:
    result = analyzer.analyze("送餐很快，味道也不错")
    assert isinstance(result.tokens, tuple) and all(isinstance(t, str) for t in result.tokens)
    assert isinstance(result.keywords, tuple)
    assert 0.0 <= result.sentiment.score <= 1.0
    assert result.intent_reason
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


def test_to_json_has_the_cli_shape(analyzer: Analyzer) -> None:
    data = analyzer.analyze("我的积分还有多少？").to_json()
    assert set(data) == {"text", "tokens", "keywords", "sentiment", "intent", "tags"}
    assert set(data["sentiment"]) == {"score", "label"}
    assert data["intent"] == "points_query"
    assert {"tag": "关注积分", "source": "keyword"} in data["tags"]
    json.dumps(data, ensure_ascii=False)


def test_tokens_and_keywords(analyzer: Analyzer) -> None:
    result = analyzer.analyze("快递太慢了，等了三天才到")
    assert "快递" in result.tokens
    assert "快递" in result.keywords
    assert "，" not in result.keywords and "了" not in result.keywords


def test_empty_and_whitespace_are_neutral(analyzer: Analyzer) -> None:
    for text in ("", "   "):
        result = analyzer.analyze(text)
        assert result.sentiment.label is SentimentLabel.NEUTRAL
        assert result.intent is Intent.OTHER and result.tokens == ()


def test_long_text_is_cut_not_rejected(analyzer: Analyzer) -> None:
    assert analyzer.analyze("很好吃" * 5000).sentiment.label is SentimentLabel.POSITIVE


def test_tags_record_their_source(analyzer: Analyzer) -> None:
    tags = analyzer.analyze("我要投诉，退款三天了还没到账").tags
    assert TagHit("售后", TagSource.KEYWORD) in tags
    assert TagHit("有投诉", TagSource.INTENT) in tags
    assert TagHit("负面反馈", TagSource.SENTIMENT) in tags


def test_tag_source_has_the_crm_values_too() -> None:
    assert {s.value for s in TagSource} == {
        "keyword",
        "sentiment",
        "intent",
        "staff",
        "segment",
        "import",
    }
