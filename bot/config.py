"""Settings: config.yaml plus SIYU_* environment overrides, validated once at start-up."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from bot.store.config import StoreSettings
from crm.config import CrmSettings
from handlers.config import ConversationSettings
from nlp.config import NlpSettings
from scheduler.config import SchedulerSettings

DEFAULT_CONFIG = Path("config.yaml")


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="WeChat bodies are a few KB")
    replay_window_seconds: int = Field(300, ge=30)
    reply_budget_seconds: float = Field(4.0, gt=0, lt=5)
    admin_token: SecretStr | None = None


def _check_aes_key(value: SecretStr) -> SecretStr:
    raw = value.get_secret_value()
    if len(raw) != 43:
        raise ValueError(f"must be 43 characters (got {len(raw)})")
    return value


class OfficialAccountMode(StrEnum):
    """The message mode (消息加解密方式) set for the account on the WeChat platform. A request in
    a weaker mode than this one is refused: the query's `encrypt_type` is not signed, so it
    cannot be what decides."""

    PLAIN = "plain"  # 明文模式: the signature covers no body
    COMPATIBLE = "compatible"  # 兼容模式: plain fields and Encrypt; only Encrypt is used
    SAFE = "safe"  # 安全模式: Encrypt only (the default: an EncodingAESKey is always set)

    @property
    def strength(self) -> int:
        return _MODE_ORDER.index(self)


_MODE_ORDER = (OfficialAccountMode.PLAIN, OfficialAccountMode.COMPATIBLE, OfficialAccountMode.SAFE)


class OfficialAccountSettings(BaseModel):
    app_id: str = "wx0000000000000000"
    app_secret: SecretStr = SecretStr("siyu-demo-secret")
    token: SecretStr = SecretStr("siyu-demo-token")
    encoding_aes_key: SecretStr = SecretStr("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    mode: OfficialAccountMode = OfficialAccountMode.SAFE
    api_base_url: str = "https://api.weixin.qq.com"

    _aes = field_validator("encoding_aes_key")(_check_aes_key)


class WeComSettings(BaseModel):
    corp_id: str = "ww0000000000000000"
    agent_id: int = 1000002
    secret: SecretStr = SecretStr("siyu-demo-secret")
    token: SecretStr = SecretStr("siyu-demo-token")
    encoding_aes_key: SecretStr = SecretStr("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    api_base_url: str = "https://qyapi.weixin.qq.com"

    _aes = field_validator("encoding_aes_key")(_check_aes_key)


class WeChatSettings(BaseModel):
    oa: OfficialAccountSettings = OfficialAccountSettings()
    wecom: WeComSettings = WeComSettings()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SIYU_", env_nested_delimiter="__", extra="forbid", yaml_file_encoding="utf-8"
    )
    yaml_path: ClassVar[Path | None] = None

    database_url: str = "sqlite://data/siyu.sqlite3"
    redis_url: str | None = None
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    timezone: str = "Asia/Shanghai"
    wechat: WeChatSettings = WeChatSettings()
    conversation: ConversationSettings = ConversationSettings()
    nlp: NlpSettings = NlpSettings()
    crm: CrmSettings = CrmSettings()
    scheduler: SchedulerSettings = SchedulerSettings()

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.yaml_path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=cls.yaml_path))
        return tuple(sources)


class ConfigError(Exception):
    """The configuration cannot be used; the message names each bad key."""


def config_path(explicit: str | Path | None = None) -> Path | None:
    """--config, else SIYU_CONFIG, else ./config.yaml when present."""
    chosen = explicit or os.environ.get("SIYU_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError(f"config file {path} not found (from --config or SIYU_CONFIG)")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Load and validate once; errors name the key and never echo the value."""
    yaml_file = config_path(path)
    cls = type("LoadedSettings", (Settings,), {"yaml_path": yaml_file})
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, yaml_file)) from None


def _describe(exc: ValidationError, yaml_file: Path | None) -> str:
    where = f" in {yaml_file}" if yaml_file else ""
    lines = [f"invalid configuration{where}:"]
    for error in exc.errors(include_input=False, include_url=False):
        key = ".".join(str(part) for part in error["loc"])
        env = "SIYU_" + "__".join(str(part) for part in error["loc"]).upper()
        lines.append(f"  {key} ({env}): {error['msg']}")
    return "\n".join(lines)
