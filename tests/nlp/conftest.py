from __future__ import annotations

import pytest

from nlp import Analyzer, NlpSettings


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """One shared Analyzer with default settings (building one takes about half a second)."""
    return Analyzer(NlpSettings())
