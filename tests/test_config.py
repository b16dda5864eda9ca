"""Configuration: YAML plus SIYU_ overrides, validated once, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, env_name, load_settings

CONFIG = Path(__file__).parent / "data" / "config.yaml"


def test_env_overrides_nested_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_SERVER__PORT", "9090")
    monkeypatch.setenv("SIYU_WECHAT__OA__APP_SECRET", "from-env")
    monkeypatch.setenv("SIYU_DATABASE_URL", "postgres://u@h/db")
    settings = load_settings(CONFIG)
    assert settings.server.port == 9090 and settings.server.host == "127.0.0.1"
    assert settings.wechat.oa.app_secret.get_secret_value() == "from-env"
    assert settings.wechat.oa.token.get_secret_value() == "test-oa-token"  # kept from YAML
    assert settings.database_url == "postgres://u@h/db"


def test_config_path_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_CONFIG", str(CONFIG))
    assert load_settings().conversation.brand_name == "测试小店"
    monkeypatch.setenv("SIYU_CONFIG", "/nonexistent.yaml")
    with pytest.raises(ConfigError, match="not found"):
        load_settings()


def test_errors_name_the_key_and_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_WECHAT__WECOM__ENCODING_AES_KEY", "my-very-secret-but-short")
    monkeypatch.setenv("SIYU_SERVER__PORT", "eighty")
    with pytest.raises(ConfigError) as caught:
        load_settings(CONFIG)
    text = str(caught.value)
    assert "wechat.wecom.encoding_aes_key (SIYU_WECHAT__WECOM__ENCODING_AES_KEY)" in text
    assert "server.port (SIYU_SERVER__PORT)" in text
    assert "my-very-secret" not in text and "eighty" not in text


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("databse_url: sqlite://x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="databse_url"):
        load_settings(bad)


def test_secrets_not_in_repr() -> None:
    settings = load_settings(CONFIG)
    assert "siyu-demo-secret" not in repr(settings) and "test-oa-token" not in repr(settings)


def test_the_unhappy_settings_keep_their_old_env_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_NLP__AT_RISK__WINDOW_DAYS", "14")
    assert load_settings(CONFIG).nlp.unhappy.window_days == 14
    monkeypatch.setenv("SIYU_NLP__UNHAPPY__WINDOW_DAYS", "21")
    monkeypatch.delenv("SIYU_NLP__AT_RISK__WINDOW_DAYS")
    assert load_settings(CONFIG).nlp.unhappy.window_days == 21


SHIPPED = Path(__file__).parent.parent / "config.yaml"
DEMO_KEYS = [
    "wechat.oa.app_secret",
    "wechat.oa.token",
    "wechat.oa.encoding_aes_key",
    "wechat.wecom.secret",
    "wechat.wecom.token",
    "wechat.wecom.encoding_aes_key",
]


def test_the_shipped_config_holds_only_demo_secrets() -> None:
    assert load_settings(SHIPPED).demo_secrets() == DEMO_KEYS
    assert Settings().demo_secrets() == DEMO_KEYS  # the built-in defaults are the same demo


def test_demo_secrets_lists_what_is_still_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_WECHAT__OA__TOKEN", "own-token")
    monkeypatch.setenv("SIYU_WECHAT__WECOM__SECRET", "own-secret")
    left = load_settings(SHIPPED).demo_secrets()
    assert left == [k for k in DEMO_KEYS if k not in ("wechat.oa.token", "wechat.wecom.secret")]


def test_env_name_of_a_key() -> None:
    assert env_name("wechat.oa.encoding_aes_key") == "SIYU_WECHAT__OA__ENCODING_AES_KEY"


@pytest.mark.parametrize(
    "bad_key",
    [
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE*G",  # 43 characters, one not base64
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE=G",  # padding inside
        "abcdefghijklmnopqrstuvwxyz0123456789ABCD FG",
    ],
)
def test_a_non_base64_aes_key_is_named(monkeypatch: pytest.MonkeyPatch, bad_key: str) -> None:
    monkeypatch.setenv("SIYU_WECHAT__OA__ENCODING_AES_KEY", bad_key)
    with pytest.raises(ConfigError) as caught:
        load_settings(CONFIG)
    text = str(caught.value)
    assert "wechat.oa.encoding_aes_key (SIYU_WECHAT__OA__ENCODING_AES_KEY)" in text
    assert "base64" in text and bad_key not in text


def test_server_timeouts_are_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(CONFIG).server.keepalive_seconds == 5.0
    monkeypatch.setenv("SIYU_SERVER__KEEPALIVE_SECONDS", "12")
    assert load_settings(CONFIG).server.keepalive_seconds == 12.0
    monkeypatch.setenv("SIYU_SERVER__KEEPALIVE_SECONDS", "0")
    with pytest.raises(ConfigError, match=r"server\.keepalive_seconds"):
        load_settings(CONFIG)


def test_the_removed_admin_token_is_a_clear_error(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text("server:\n  admin_token: s3cr3t-admin\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(old)
    text = str(caught.value)
    assert "server.admin_token (SIYU_SERVER__ADMIN_TOKEN)" in text and "delete" in text
    assert "s3cr3t-admin" not in text
