from __future__ import annotations

import pytest
from pydantic import ValidationError

from nlp import NlpSettings, at_risk_by_sentiment


def test_at_risk_threshold_from_settings() -> None:
    settings = NlpSettings()
    assert settings.at_risk.window_days == 7
    assert not at_risk_by_sentiment(2, settings)
    assert at_risk_by_sentiment(3, settings)
    strict = NlpSettings(at_risk={"negative_threshold": 5, "window_days": 14})
    assert not at_risk_by_sentiment(4, strict)


def test_settings_defaults_and_validation() -> None:
    settings = NlpSettings()
    assert settings.intents.unsubscribe.exact and settings.keyword_rules
    with pytest.raises(ValidationError):
        NlpSettings(sentiment={"neutral_low": 0.7, "neutral_high": 0.3})
