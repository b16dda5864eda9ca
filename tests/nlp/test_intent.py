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


@pytest.mark.parametrize(
    "text",
    [
        "查一下积分",
        "帮我看看积分",
        "看下我的积分",
        "帮我查查我的会员积分",
        "我有多少分了",
        "还剩几分",
        "我现在攒了多少分",
        "积分余额",
        "我的积分什么时候到期",
        "积分会清零吗",
        "积分能换什么",
        "用积分换个杯子",
        "积分可以抵现吗",
        "check my points",
        "points balance",
        "看看我的分",
        "我现在多少分",
        "怎么用积分",
        "可以用积分吗",
        "帮我查一下我的积分",
        "积分还剩多少",
        "积分有效期多久",
        "兑换礼品要多少积分",
        "积分能当钱花吗",
    ],
)
def test_points_query_in_every_phrasing(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.intent is Intent.POINTS_QUERY, result.intent_reason


@pytest.mark.parametrize(
    "text",
    [
        "给个好评打分",
        "评分几分",
        "还要等几分钟",
        "还剩几分钟",
        "十分满意",
        "打几分合适",
        "分几次发货",
        "我几分钟能到",
        "还有几分钟到",
        "这家店评分多少",
        "看看分店在哪",
        "我要三分熟的",
        "有多少分量",
        "说得有几分道理",
        "我有几分把握",
    ],
)
def test_points_query_leaves_other_fen_alone(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.intent is not Intent.POINTS_QUERY, result.intent_reason


@pytest.mark.parametrize(
    "text",
    [
        "四个小时才到",
        "等了一个半小时",
        "等了两个钟头",
        "中午下的单，三点才送到",
        "超时五十分钟",
        "少了一杯奶茶",
        "没给勺子",
        "餐具没有放",
        "汤漏了一半",
        "盒子压扁了",
        "饭菜像是隔夜的",
    ],
)
def test_delivery_time_and_no_sentiment_word_complaints(analyzer: Analyzer, text: str) -> None:
    """Written for this test, not in the training material."""
    result = analyzer.analyze(text)
    assert result.intent is Intent.COMPLAINT, result.intent_reason


@pytest.mark.parametrize(
    "text", ["等了十分钟就到了", "半个小时就送到了", "筷子勺子都给了", "一点没洒，很满意"]
)
def test_quick_delivery_and_complete_orders_are_no_complaints(
    analyzer: Analyzer, text: str
) -> None:
    result = analyzer.analyze(text)
    assert result.intent is not Intent.COMPLAINT, result.intent_reason
