"""What the text analysis can be configured with (pure data, no I/O).

Embedded in the app settings as `nlp:` (env `SIYU_NLP__...`). Every field has a default
so that `nlp.analyze()` works with no configuration at all.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, model_validator

from nlp import defaults


class KeywordRuleConfig(BaseModel):
    """Any of `keywords` in a message applies `tag` (source: keyword)."""

    keywords: list[str]
    tag: str


class IntentRule(BaseModel):
    """How one intent is recognised. `exact`: the whole message (punctuation and case
    ignored); `keywords`: a substring; `patterns`: a regular expression (re.search)."""

    exact: list[str] = []
    keywords: list[str] = []
    patterns: list[str] = []


class IntentSettings(BaseModel):
    unsubscribe: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.UNSUBSCRIBE))
    human_agent: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.HUMAN_AGENT))
    points_query: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.POINTS_QUERY))
    complaint: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.COMPLAINT))
    # Problem words that make a complaint only in a negative message; in a question only
    # when the score is below `complaint_question_max_score`.
    complaint_if_negative: IntentRule = Field(
        default_factory=lambda: IntentRule(**defaults.COMPLAINT_IF_NEGATIVE)
    )
    thanks: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.THANKS))
    greeting: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.GREETING))
    question: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.QUESTION))
    # PIPL (issue 17): 删除我的信息 / 注销, recognised before any other rule.
    erase_request: IntentRule = Field(default_factory=lambda: IntentRule(**defaults.ERASE_REQUEST))
    # A negator just before an opt-out or complaint keyword cancels it (我不想退订).
    negators: list[str] = Field(default_factory=lambda: list(defaults.NEGATORS))
    # Below this sentiment score a message with no rule hit counts as a complaint.
    complaint_max_score: float = Field(0.08, ge=0, le=1)
    complaint_question_max_score: float = Field(0.15, ge=0, le=1)
    # ...and has at least this many characters (呵呵 alone is no complaint).
    complaint_min_chars: int = Field(4, ge=1)
    # Greetings and thanks are recognised in short messages only.
    short_max_chars: int = Field(12, ge=1)


class SentimentSettings(BaseModel):
    # The rule `siyu nlp train` chose on the cross-domain validation (recorded in the model
    # file; nlp/README.md): positive above 0.49 (the binary threshold), no score band
    # around it; neutral is the opinion signal's: a message of at most `opinion_max_chars`
    # characters with no opinion cue (nlp.opinion), whatever its score. 1 % of unseen-domain
    # reviews come out neutral, 94-98 % of neutral chat. 0 turns the signal off.
    neutral_low: float = Field(0.49, ge=0, le=1, description="score below: negative")
    neutral_high: float = Field(0.49, ge=0, le=1, description="score above: positive")
    opinion_max_chars: int = Field(16, ge=0, description="no cue up to this length: neutral")
    model_path: str | None = Field(None, description="override the shipped weights file")

    @model_validator(mode="after")
    def _ordered(self) -> SentimentSettings:
        if self.neutral_low > self.neutral_high:
            raise ValueError("neutral_low must not exceed neutral_high")
        return self


class UnhappySettings(BaseModel):
    """A customer with `negative_threshold` negative messages in `window_days` is unhappy and
    gets `tag`: a mood read from messages, not the lifecycle's at_risk stage (a customer who
    has gone quiet; crm.lifecycle). The tag was 流失风险 before, too close to 流失预警."""

    window_days: int = Field(7, ge=1)
    negative_threshold: int = Field(3, ge=1)
    tag: str = "持续不满"


class NlpSettings(BaseModel):
    enabled: bool = True  # off: messages are recorded and routed without analysis or tags
    user_words: list[str] = []  # the brand's own words: product and campaign names
    # "auto": rjieba (jieba-rs) when installed, else jieba; "jieba": always pure-Python jieba.
    tokenizer: Literal["auto", "jieba"] = "auto"
    keyword_rules: list[KeywordRuleConfig] = Field(
        default_factory=lambda: [KeywordRuleConfig(**rule) for rule in defaults.KEYWORD_RULES]
    )
    intents: IntentSettings = Field(default_factory=IntentSettings)
    intent_tags: dict[str, str] = Field(default_factory=lambda: dict(defaults.INTENT_TAGS))
    sentiment_tags: dict[str, str] = Field(default_factory=lambda: dict(defaults.SENTIMENT_TAGS))
    sentiment: SentimentSettings = Field(default_factory=SentimentSettings)
    unhappy: UnhappySettings = Field(
        default_factory=UnhappySettings,
        validation_alias=AliasChoices("unhappy", "at_risk"),  # its name until issue 10
    )
    max_keywords: int = Field(5, ge=0)
    max_chars: int = Field(2000, ge=1, description="longer text is cut before analysis")
