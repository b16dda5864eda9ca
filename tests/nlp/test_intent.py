from __future__ import annotations

import pytest

from nlp import Analyzer, Intent, NlpSettings
from nlp.config import IntentRule


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("退订", Intent.UNSUBSCRIBE),
        ("TD", Intent.UNSUBSCRIBE),
        ("td", Intent.UNSUBSCRIBE),
        ("别再给我发了", Intent.UNSUBSCRIBE),
        ("不要再发消息了！", Intent.UNSUBSCRIBE),
        ("我要退订", Intent.UNSUBSCRIBE),
        ("转人工", Intent.HUMAN_AGENT),
        ("我要找人工客服", Intent.HUMAN_AGENT),
        ("我的积分", Intent.POINTS_QUERY),
        ("积分还有多少", Intent.POINTS_QUERY),
        ("你们的积分什么时候过期", Intent.POINTS_QUERY),
        ("我要投诉", Intent.COMPLAINT),
        ("质量问题，我要退款", Intent.COMPLAINT),
        ("快递太慢了", Intent.COMPLAINT),
        ("客服不理人", Intent.COMPLAINT),
        ("等了三天还没到", Intent.COMPLAINT),
        ("为什么还不给我退款？", Intent.COMPLAINT),
        ("东西坏了，怎么退货？", Intent.COMPLAINT),
        ("怎么退货", Intent.QUESTION),
        ("退款一般多久到账", Intent.QUESTION),
        ("你好", Intent.GREETING),
        ("在吗", Intent.GREETING),
        ("谢谢", Intent.THANKS),
        ("收到了，谢谢客服", Intent.THANKS),
        ("请问什么时候发货？", Intent.QUESTION),
        ("可以开发票吗", Intent.QUESTION),
        ("今天天气不错", Intent.OTHER),
    ],
)
def test_intents(analyzer: Analyzer, text: str, intent: Intent) -> None:
    result = analyzer.analyze(text)
    assert result.intent is intent, result.intent_reason


@pytest.mark.parametrize(
    "text",
    [
        "我不想退订",
        "不要退订",
        "退订的话怎么操作",
        "怎么退订？",
        "退订了还能收到优惠吗",
        "没有说要退订",
    ],
)
def test_opt_out_precision(analyzer: Analyzer, text: str) -> None:
    """Asking about opting out, or saying no to it, is never an opt-out."""
    result = analyzer.analyze(text)
    assert result.intent is not Intent.UNSUBSCRIBE, result.intent_reason


def test_guarded_opt_out_explains_itself(analyzer: Analyzer) -> None:
    assert "guard" in analyzer.analyze("我不想退订").intent_reason
    assert "guard" in analyzer.analyze("退订的话怎么操作").intent_reason


@pytest.mark.parametrize(
    "text",
    [
        "没有质量问题，很满意",
        "退款已经到账了，谢谢",
        "不用投诉了，已经解决了",
        "东西很好，物流也快",
    ],
)
def test_complaint_precision(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.intent is not Intent.COMPLAINT, result.intent_reason


def test_reason_names_the_rule_or_signal(analyzer: Analyzer) -> None:
    assert analyzer.analyze("转人工").intent_reason.startswith("rule human_agent")
    assert analyzer.analyze("难吃死了，全倒了").intent_reason.startswith(
        ("rule complaint", "signal sentiment")
    )


def test_intent_rules_come_from_config() -> None:
    settings = NlpSettings()
    settings.intents.points_query = IntentRule(keywords=["查分"])
    custom = Analyzer(settings)
    assert custom.analyze("帮我查分").intent is Intent.POINTS_QUERY
    assert custom.analyze("我的积分").intent is not Intent.POINTS_QUERY
