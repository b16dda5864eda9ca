from __future__ import annotations

import pytest
from pydantic import ValidationError

from nlp import NlpSettings, is_unhappy


def test_unhappy_threshold_from_settings() -> None:
    settings = NlpSettings()
    assert settings.unhappy.window_days == 7
    assert settings.unhappy.tag == "持续不满"
    assert not is_unhappy(2, settings)
    assert is_unhappy(3, settings)
    strict = NlpSettings(unhappy={"negative_threshold": 5, "window_days": 14})
    assert not is_unhappy(4, strict)


def test_the_old_at_risk_key_still_configures_it() -> None:
    old = NlpSettings(at_risk={"negative_threshold": 5, "tag": "流失风险"})
    assert old.unhappy.negative_threshold == 5 and old.unhappy.tag == "流失风险"


def test_settings_defaults_and_validation() -> None:
    settings = NlpSettings()
    assert settings.intents.unsubscribe.exact and settings.keyword_rules
    with pytest.raises(ValidationError):
        NlpSettings(sentiment={"neutral_low": 0.7, "neutral_high": 0.3})
