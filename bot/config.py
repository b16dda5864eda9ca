"""Settings: config.yaml plus SIYU_* environment overrides, validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import os
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from bot.api.config import ApiSettings
from bot.store.config import StoreSettings
from crm.complaints.config import ComplaintSettings
from crm.config import CrmSettings
from crm.pipl.config import PrivacySettings
from crm.staff_config import StaffSettings
from crm.surveys.config import SurveySettings
from handlers.config import ConversationSettings
from nlp.config import NlpSettings
from scheduler.config import SchedulerSettings
from scheduler.dispatch.config import DispatchSettings

DEFAULT_CONFIG = Path("config.yaml")
# The public values shipped in config.yaml (and as the defaults below) so `siyu demo` runs
# without an account; anyone can sign callbacks with them, so `siyu serve` refuses them.
DEMO_VALUES = frozenset(
    {"siyu-demo-secret", "siyu-demo-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
)
REMOVED_KEYS = {
    "server.admin_token": "removed: nothing read it (the admin API will bring its own tokens); "
    "delete it from the configuration",
}


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="WeChat bodies are a few KB")
    replay_window_seconds: int = Field(300, ge=30)
    reply_budget_seconds: float = Field(4.0, gt=0, lt=5)
    # aiohttp has one timer for this: from a connection's opening (or its last response) to a
    # complete request head. WeChat gives up after 5 s, so a longer wait serves nobody.
    keepalive_seconds: float = Field(5.0, ge=1, le=300)
    # ...and that timer stops at the head: the body has its own limit (WeChat's are a few KB).
    body_seconds: float = Field(2.0, gt=0, le=30)


def _check_aes_key(value: SecretStr) -> SecretStr:
    raw = value.get_secret_value()
    if len(raw) != 43:
        raise ValueError(f"must be 43 characters (got {len(raw)})")
    try:
        base64.b64decode(raw + "=", validate=True)  # 43 base64 characters: the 32-byte AES key
    except binascii.Error:
        raise ValueError("must be base64: only A-Z, a-z, 0-9, + and /") from None
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
    model_config = ConfigDict(extra="forbid")

    app_id: str = "wx0000000000000000"
    app_secret: SecretStr = SecretStr("siyu-demo-secret")
    token: SecretStr = SecretStr("siyu-demo-token")
    encoding_aes_key: SecretStr = SecretStr("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    mode: OfficialAccountMode = OfficialAccountMode.SAFE
    api_base_url: str = "https://api.weixin.qq.com"

    _aes = field_validator("encoding_aes_key")(_check_aes_key)


class WeComSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corp_id: str = "ww0000000000000000"
    agent_id: int = 1000002
    secret: SecretStr = SecretStr("siyu-demo-secret")
    token: SecretStr = SecretStr("siyu-demo-token")
    encoding_aes_key: SecretStr = SecretStr("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    api_base_url: str = "https://qyapi.weixin.qq.com"

    _aes = field_validator("encoding_aes_key")(_check_aes_key)


class WeChatSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    oa: OfficialAccountSettings = OfficialAccountSettings()
    wecom: WeComSettings = WeComSettings()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIYU_", env_nested_delimiter="__", extra="forbid")
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
    campaigns: DispatchSettings = DispatchSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    staff: StaffSettings = StaffSettings()
    surveys: SurveySettings = SurveySettings()
    api: ApiSettings = ApiSettings()
    privacy: PrivacySettings = PrivacySettings()

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    def demo_secrets(self) -> list[str]:
        """The secret keys that still hold the public demo values shipped with siyu."""
        return [key for key, value in self._secrets() if value.get_secret_value() in DEMO_VALUES]

    def _secrets(self) -> list[tuple[str, SecretStr]]:
        oa, wecom = self.wechat.oa, self.wechat.wecom
        return [
            ("wechat.oa.app_secret", oa.app_secret),
            ("wechat.oa.token", oa.token),
            ("wechat.oa.encoding_aes_key", oa.encoding_aes_key),
            ("wechat.wecom.secret", wecom.secret),
            ("wechat.wecom.token", wecom.token),
            ("wechat.wecom.encoding_aes_key", wecom.encoding_aes_key),
        ]

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
            # The encoding goes here, not in model_config: pydantic-settings warns about a
            # yaml_file_encoding there whenever no YAML source is configured (no config.yaml).
            yaml = YamlConfigSettingsSource(
                settings_cls, yaml_file=cls.yaml_path, yaml_file_encoding="utf-8"
            )
            sources.append(yaml)
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


def env_name(key: str) -> str:
    """The SIYU_ variable of a dotted key: wechat.oa.token -> SIYU_WECHAT__OA__TOKEN."""
    return "SIYU_" + key.replace(".", "__").upper()


def _describe(exc: ValidationError, yaml_file: Path | None) -> str:
    where = f" in {yaml_file}" if yaml_file else ""
    lines = [f"invalid configuration{where}:"]
    for error in exc.errors(include_input=False, include_url=False):
        key = ".".join(str(part) for part in error["loc"])
        problem = REMOVED_KEYS.get(key, error["msg"])
        lines.append(f"  {key} ({env_name(key)}): {problem}")
    return "\n".join(lines)
