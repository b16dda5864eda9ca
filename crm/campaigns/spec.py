"""The campaign file (YAML or JSON) as a pydantic model, and its mapping to the Campaign row.

    name: 生日祝福
    kind: birthday                      # birthday | holiday | points | winback | custom
    segment: {"field": "subscribed", "op": "eq", "value": true}   # or segment_id: 3
    template: campaign_birthday.j2      # or text: "…{{ customer.display_name }}…"
                                        # or message_template: <name of a stored template>
    template_message: {template_id: TM001, url: "https://…", data: {thing1: "{{ … }}"}}
    schedule: {birthday: {days_before: 0, at: "10:00"}}
    quiet_hours: {start: "22:00", end: "08:00"}   # or false; default 22:00–08:00
    frequency_exempt: false
    timezone: Asia/Shanghai
    status: scheduled                   # or draft
    coupon: {prefix: BD}                # birthday
    second_text (or second_template: a file) / second_after_days / inactive_days   # winback
    expiring_within_days / milestones / earn_threshold     # points

Schedules: {at: ISO time} (custom; a time without offset is local to `timezone`),
{cron: "m h dom mon dow"} (custom, points, winback), {daily: {at: "HH:MM"}} (points, winback),
{birthday: {days_before, at}} (birthday), {holidays: {at, include}} (holiday).
A bad file raises InvalidCampaign naming each field (`schedule.cron: …`); nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from jinja2 import TemplateSyntaxError
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

import templates
from crm.errors import InvalidCampaign, InvalidInput
from crm.models.campaigns import CampaignKind, CampaignStatus
from crm.segments.rules import parse_rule, rule_to_json

HHMM = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM")
DEFAULT_QUIET = ("22:00", "08:00")
_TEMPLATE_FILE = r"^[\w-]{1,120}\.j2$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_template(source: str) -> str:
    """A Jinja2 template that compiles in the campaign sandbox."""
    try:
        templates.environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"模板语法错误（第 {exc.lineno} 行）：{exc.message}") from None
    return source


class AtSchedule(_Spec):
    at: datetime


class CronSchedule(_Spec):
    cron: str

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError('需要 5 段："分 时 日 月 周"，例如 "0 10 * * 1"')
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"无效的 cron 表达式：{exc}") from None
        return value


class DailyAt(_Spec):
    at: str = HHMM


class DailySchedule(_Spec):
    daily: DailyAt


class BirthdayTiming(_Spec):
    days_before: int = Field(0, ge=0, le=30)
    at: str = HHMM


class BirthdaySchedule(_Spec):
    birthday: BirthdayTiming


class HolidayTiming(_Spec):
    at: str = HHMM
    include: list[str] | None = Field(
        None, min_length=1, description="holiday / festival names; omitted: all of them"
    )

    @field_validator("include")
    @classmethod
    def _names(cls, value: list[str] | None) -> list[str] | None:
        if value and any(not 1 <= len(name.strip()) <= 64 for name in value):
            raise ValueError("节日名称不能为空，且不超过 64 个字符")
        return value


class HolidaySchedule(_Spec):
    holidays: HolidayTiming


def _schedule_form(data: Any) -> str | None:
    if isinstance(data, BaseModel):
        return _SCHEDULE_KEYS.get(type(data))
    if isinstance(data, dict) and len(data) == 1:
        return next(iter(data))
    return None


Schedule = Annotated[
    Annotated[AtSchedule, Tag("at")]
    | Annotated[CronSchedule, Tag("cron")]
    | Annotated[DailySchedule, Tag("daily")]
    | Annotated[BirthdaySchedule, Tag("birthday")]
    | Annotated[HolidaySchedule, Tag("holidays")],
    Discriminator(
        _schedule_form,
        custom_error_type="schedule_form",
        custom_error_message="schedule 应为 {at}、{cron}、{daily}、{birthday} 或 {holidays} 之一",
    ),
]
_SCHEDULES: dict[CampaignKind, tuple[type, ...]] = {
    CampaignKind.BIRTHDAY: (BirthdaySchedule,),
    CampaignKind.HOLIDAY: (HolidaySchedule,),
    CampaignKind.POINTS: (DailySchedule, CronSchedule),
    CampaignKind.WINBACK: (DailySchedule, CronSchedule),
    CampaignKind.CUSTOM: (AtSchedule, CronSchedule),
}
_SCHEDULE_KEYS: dict[type, str] = {
    AtSchedule: "at", CronSchedule: "cron", DailySchedule: "daily",
    BirthdaySchedule: "birthday", HolidaySchedule: "holidays",
}  # fmt: skip


class QuietHours(_Spec):
    start: str = HHMM
    end: str = HHMM

    @model_validator(mode="after")
    def _distinct(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("开始与结束时间相同；不需要免打扰请写 quiet_hours: false")
        return self


class TemplateMessage(_Spec):
    template_id: str = Field(min_length=1, max_length=128)
    url: str | None = Field(None, pattern=r"^https?://", max_length=512)
    data: dict[str, str] = Field(min_length=1, description="keyword: Jinja2 template")

    @field_validator("data")
    @classmethod
    def _data(cls, value: dict[str, str]) -> dict[str, str]:
        for key, source in value.items():
            if not key.isidentifier():
                raise ValueError(f"字段名 {key!r} 无效（如 thing1、time2）")
            check_template(source)
        return value


class Coupon(_Spec):
    prefix: str = Field(pattern=r"^[A-Z0-9]{1,8}$", description="e.g. BD: codes BD-XXXXXXXX")


class CampaignSpec(_Spec):
    name: str = Field(min_length=1, max_length=64)
    kind: CampaignKind
    status: Literal[CampaignStatus.DRAFT, CampaignStatus.SCHEDULED] = CampaignStatus.SCHEDULED
    segment: dict[str, Any] | None = None
    segment_id: int | None = Field(None, ge=1)
    text: str | None = Field(None, min_length=1, max_length=2000)
    template: str | None = Field(None, pattern=_TEMPLATE_FILE, description="a file in templates/")
    message_template: str | None = Field(None, min_length=1, max_length=64)
    template_message: TemplateMessage | None = None
    schedule: Schedule
    quiet_hours: QuietHours | Literal[False] | None = None
    frequency_exempt: bool = False
    timezone: str = "Asia/Shanghai"
    coupon: Coupon | None = None
    second_text: str | None = Field(None, min_length=1, max_length=2000)
    second_template: str | None = Field(None, pattern=_TEMPLATE_FILE, description="or a file")
    second_after_days: int | None = Field(None, ge=1, le=365)
    inactive_days: int | None = Field(None, ge=1, le=3650)
    expiring_within_days: int | None = Field(None, ge=1, le=366)
    milestones: list[int] | None = Field(None, min_length=1)
    earn_threshold: int | None = Field(None, ge=1)

    @field_validator("segment")
    @classmethod
    def _rule(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return dict(rule_to_json(parse_rule(value)))
        except InvalidInput as exc:
            raise ValueError(str(exc).replace("  rule", "  segment")) from None

    @field_validator("text", "second_text")
    @classmethod
    def _inline(cls, value: str | None) -> str | None:
        return None if value is None else check_template(value)

    @field_validator("template", "second_template")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        if value is not None:
            path = templates.TEMPLATE_DIR / value
            if not path.is_file():
                raise ValueError(f"templates/ 下没有 {value}")
            check_template(path.read_text(encoding="utf-8"))
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区 {value!r}（例如 Asia/Shanghai）") from None
        return value

    @field_validator("milestones")
    @classmethod
    def _milestones(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(m <= 0 for m in value):
            raise ValueError("积分里程碑必须是正数")
        return sorted(set(value)) if value else value

    @model_validator(mode="after")
    def _whole(self) -> CampaignSpec:
        _one_of(self, ("segment", "segment_id"), "segment 或 segment_id")
        messages = ("text", "template", "message_template")
        _one_of(self, messages, "text、template 或 message_template")
        _kind_fits(self)
        return self


def _one_of(spec: CampaignSpec, names: tuple[str, ...], label: str) -> None:
    given = [name for name in names if getattr(spec, name) is not None]
    if len(given) != 1:
        raise ValueError(f"{'/'.join(names)}: 需要且只能给出 {label} 之一")


_KIND_FIELDS: dict[str, CampaignKind] = {
    "coupon": CampaignKind.BIRTHDAY,
    "second_text": CampaignKind.WINBACK,
    "second_template": CampaignKind.WINBACK,
    "second_after_days": CampaignKind.WINBACK,
    "inactive_days": CampaignKind.WINBACK,
    "expiring_within_days": CampaignKind.POINTS,
    "milestones": CampaignKind.POINTS,
    "earn_threshold": CampaignKind.POINTS,
}


def _kind_fits(spec: CampaignSpec) -> None:
    allowed = _SCHEDULES[spec.kind]
    if not isinstance(spec.schedule, allowed):
        forms = ", ".join("{" + _SCHEDULE_KEYS[t] + "}" for t in allowed)
        raise ValueError(f"schedule: {spec.kind.value} 活动的 schedule 应为 {forms}")
    for name, kind in _KIND_FIELDS.items():
        if getattr(spec, name) is not None and spec.kind is not kind:
            raise ValueError(f"{name}: 只适用于 {kind.value} 活动")
    if spec.second_text is not None and spec.second_template is not None:
        raise ValueError("second_text/second_template: 只能给出其中之一")
    if spec.second_after_days is not None and _second_source(spec) is None:
        raise ValueError("second_after_days: 需要同时给出 second_text 或 second_template")


def _second_source(spec: CampaignSpec) -> str | None:
    """Win-back's second message; a file's text is copied in, so the row says all it sends."""
    if spec.second_template is not None:
        return (templates.TEMPLATE_DIR / spec.second_template).read_text(encoding="utf-8")
    return spec.second_text


def parse_spec(data: Any) -> CampaignSpec:
    """Validate a campaign given as parsed YAML/JSON."""
    try:
        return CampaignSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidCampaign("活动文件有误：\n" + "\n".join(_describe(exc))) from None


def load_spec(path: Path) -> CampaignSpec:
    """Read a campaign file: YAML, or JSON (which YAML reads too)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidCampaign(f"无法读取活动文件 {path}：{exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InvalidCampaign(f"活动文件 {path} 不是有效的 YAML/JSON：{exc}") from None
    if not isinstance(data, dict):
        raise InvalidCampaign(f"活动文件 {path} 应是一个对象（name、kind、schedule …）")
    return parse_spec(data)


def _describe(exc: ValidationError) -> list[str]:
    errors = exc.errors(include_url=False, include_input=False)
    # `quiet_hours: {…}` gone wrong also fails the `false` branch of the union: noise.
    wrong = [e for e in errors if not _literal_branch(e["loc"])] or errors
    lines = []
    for error in wrong:
        message = error["msg"].removeprefix("Value error, ")
        path = _path(error["loc"])
        lines.append(f"  {path}: {message}" if path else f"  {message}")
    return lines


def _literal_branch(loc: tuple[int | str, ...]) -> bool:
    return bool(loc) and str(loc[-1]).startswith("literal[")


def _path(loc: tuple[int | str, ...]) -> str:
    """('schedule', 'cron', 'cron') -> schedule.cron: drop the union member pydantic puts in
    the location (a schedule form's tag, a model name, a literal)."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part[:1].isupper() or part.startswith(("literal[", "function-")) or _is_tag(loc, i):
            continue
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)


def _is_tag(loc: tuple[int | str, ...], i: int) -> bool:
    return i == 1 and loc[0] == "schedule" and len(loc) > 2


def to_fields(spec: CampaignSpec, quiet_default: tuple[str, str] = DEFAULT_QUIET) -> dict[str, Any]:
    """The Campaign row's columns (the stored template is resolved by name in the service)."""
    quiet = _quiet(spec.quiet_hours, quiet_default)
    return {
        "name": spec.name,
        "kind": spec.kind,
        "status": spec.status,
        "segment_id": spec.segment_id,
        "rule": spec.segment,
        "text": spec.text,
        "template_file": spec.template,
        "template_message": _dump(spec.template_message),
        "schedule": _schedule(spec),
        "timezone": spec.timezone,
        "quiet_start": quiet[0] if quiet else None,
        "quiet_end": quiet[1] if quiet else None,
        "frequency_exempt": spec.frequency_exempt,
        "options": _options(spec),
    }


def _quiet(
    quiet: QuietHours | Literal[False] | None, default: tuple[str, str]
) -> tuple[str, str] | None:
    if quiet is False:
        return None
    return default if quiet is None else (quiet.start, quiet.end)


def _dump(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json", exclude_none=True)


def _schedule(spec: CampaignSpec) -> dict[str, Any]:
    """{at} is stored as an aware ISO time: one without an offset is local to the campaign."""
    schedule = spec.schedule
    if isinstance(schedule, AtSchedule):
        at = schedule.at
        if at.tzinfo is None:
            at = at.replace(tzinfo=ZoneInfo(spec.timezone))
        return {"at": at.isoformat()}
    return schedule.model_dump(mode="json", exclude_none=True)


_OPTION_NAMES = (
    "second_text", "second_after_days", "inactive_days",
    "expiring_within_days", "milestones", "earn_threshold",
)  # fmt: skip


def _options(spec: CampaignSpec) -> dict[str, Any]:
    options: dict[str, Any] = {n: getattr(spec, n) for n in _OPTION_NAMES}
    options["second_text"] = _second_source(spec)
    if spec.coupon is not None:
        options["coupon"] = spec.coupon.model_dump()
    if options["second_text"] is not None and spec.second_after_days is None:
        options["second_after_days"] = 7  # the "M more days": a week unless told
    return {k: v for k, v in options.items() if v is not None}
