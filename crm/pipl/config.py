"""`privacy:` in config.yaml: consent for marketing and retention periods (PIPL, issue 17).

Set once at process start (bot/startup.py), like the complaint settings. Off by default in
code so that a configuration written before consent was recorded keeps sending; the shipped
config.yaml turns consent on."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RetentionSettings(BaseModel):
    """How long each kind of record is kept, in days (0: forever)."""

    messages_days: int = Field(1095, ge=0, description="message texts and raw payloads")
    deliveries_days: int = Field(365, ge=0, description="campaign delivery records")
    audit_days: int = Field(1825, ge=0, description="audit log entries")


class PrivacySettings(BaseModel):
    require_consent: bool = Field(
        False, description="marketing campaigns reach only customers with consent on record"
    )
    retention: RetentionSettings = RetentionSettings()
    # QR scenes (the follow's EventKey without qrscene_) whose poster or page states that a
    # follow means agreeing to marketing, with that purpose: such a follow records consent.
    follow_consent_scenes: dict[str, str] = Field(default_factory=dict)


_current = PrivacySettings()


def configure(settings: PrivacySettings) -> None:
    global _current
    _current = settings


def current() -> PrivacySettings:
    return _current
