"""The "opinion present" signal: chat with no opinion is neutral whatever its score.

The lines are written for these tests (2026-12-01, issue 15): none is in the training
material or the held-out neutral sets.
"""

from __future__ import annotations

import pytest

from nlp import Analyzer, Intent, NlpSettings, SentimentLabel
from nlp.features import normalize
from nlp.opinion import has_opinion

NO_OPINION = [
    "在的吗",
    "亲，请问一下",
    "麻烦帮我查下快递",
    "顺丰能到吗",
    "几号发货",
    "改成下午送",
    "备注少放辣",
    "我要两份",
    "好的，稍等",
    "单号发你了",
    "明天来取",
    "能寄到香港吗",
]


@pytest.mark.parametrize("text", NO_OPINION)
def test_chat_with_no_opinion_is_neutral(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).sentiment.label is SentimentLabel.NEUTRAL


@pytest.mark.parametrize(
    "text",
    [
        "六个小时才到",
        "等了一个多小时",
        "下午两点的单五点才送来",
        "少了一瓶可乐",
        "没给吸管",
        "汤洒了一袋子",
        "饭盒都裂了",
        "像是剩下的",
        "要是别这么咸就好了",
        "要是能早点送到就好了",
    ],
)
def test_complaints_and_wishes_without_sentiment_words_stay_negative(
    analyzer: Analyzer, text: str
) -> None:
    assert analyzer.analyze(text).sentiment.label is SentimentLabel.NEGATIVE


@pytest.mark.parametrize(
    "text",
    ["七个小时才到", "等了两个半小时", "少了一份饺子", "没给餐具", "汤都洒出来了", "餐盒破了个口"],
)
def test_those_complaints_open_tickets(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.intent is Intent.COMPLAINT, result.intent_reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("什么时候发货", False),
        ("好的", False),
        ("您好", False),
        ("好吃", True),
        ("质量好", True),
        ("太小了", True),
        ("还行", True),
        ("一般几天到", False),
        ("质量一般", True),
        ("收到啦👍", True),
        ("快点发货！", True),
        ("[流泪]", True),
    ],
)
def test_cues(analyzer: Analyzer, text: str, expected: bool) -> None:
    norm = normalize(text)
    assert has_opinion(analyzer.tokenizer.cut(norm), norm, 100) is expected


def test_long_messages_are_taken_to_hold_an_opinion(analyzer: Analyzer) -> None:
    text = normalize("我想问一下这个订单的快递现在到哪里了")
    tokens = analyzer.tokenizer.cut(text)
    assert not has_opinion(tokens, text, len(text))
    assert has_opinion(tokens, text, len(text) - 1)


def test_the_signal_can_be_turned_off() -> None:
    off = Analyzer(NlpSettings(sentiment={"opinion_max_chars": 0}))
    on = Analyzer(NlpSettings())
    labels = [(on.analyze(t).sentiment.label, off.analyze(t).sentiment.label) for t in NO_OPINION]
    assert all(mine is SentimentLabel.NEUTRAL for mine, _ in labels)
    assert any(theirs is not SentimentLabel.NEUTRAL for _, theirs in labels)
