from __future__ import annotations

from nlp import Analyzer, KeywordRule, NlpSettings, TagHit, TagSource
from nlp.keywords import KeywordTagger


def keyword_tags(analyzer: Analyzer, text: str) -> set[str]:
    return {hit.tag for hit in analyzer.analyze(text).tags if hit.source is TagSource.KEYWORD}


def test_config_rules_apply() -> None:
    settings = NlpSettings(keyword_rules=[{"keywords": ["榴莲", "Durian"], "tag": "榴莲爱好者"}])
    analyzer = Analyzer(settings)
    assert keyword_tags(analyzer, "我想买榴莲") == {"榴莲爱好者"}
    assert keyword_tags(analyzer, "有DURIAN吗") == {"榴莲爱好者"}
    assert keyword_tags(analyzer, "我想买苹果") == set()


def test_rules_rebuild_replaces_database_rules_keeps_config_rules() -> None:
    analyzer = Analyzer(NlpSettings(keyword_rules=[{"keywords": ["快递"], "tag": "关注物流"}]))
    analyzer.set_keyword_rules([KeywordRule("奶茶", "奶茶控")])
    assert keyword_tags(analyzer, "快递送来的奶茶") == {"关注物流", "奶茶控"}
    analyzer.set_keyword_rules([KeywordRule("咖啡", "咖啡控")])
    assert keyword_tags(analyzer, "快递送来的奶茶和咖啡") == {"关注物流", "咖啡控"}
    analyzer.set_keyword_rules([])
    assert keyword_tags(analyzer, "奶茶") == set()


def test_extra_rules_per_call(analyzer: Analyzer) -> None:
    tags = analyzer.analyze("想要一杯拿铁", extra_rules=[KeywordRule("拿铁", "咖啡控")]).tags
    assert TagHit("咖啡控", TagSource.KEYWORD) in tags


def test_tagger_without_rules_and_with_duplicates() -> None:
    assert KeywordTagger().tags("任何文字") == []
    tagger = KeywordTagger([KeywordRule("a", "x"), KeywordRule("A", "x"), KeywordRule("a", "y")])
    assert tagger.tags("aa") == ["x", "y"]


def test_interest_keywords_skip_stop_words_and_single_characters(analyzer: Analyzer) -> None:
    keywords = analyzer.analyze("我们想买一个榴莲蛋糕给孩子过生日").keywords
    assert "我们" not in keywords and "一个" not in keywords
    assert all(len(word) >= 2 for word in keywords)
    assert "蛋糕" in keywords
