"""The admin API's fixtures (tokens per role on the in-process app) for the privacy tests."""

from tests.api.conftest import api, api_settings

__all__ = ["api", "api_settings"]
