"""What the complaint workflow can be configured with (config.yaml `complaints:`,
env SIYU_COMPLAINTS__...): categories by keyword, severity keywords, SLA deadlines per
severity, who is notified, who gets escalations."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from crm.models.complaints import ComplaintSeverity

OTHER = "其他"

_CATEGORIES: dict[str, list[str]] = {
    "商品质量": ["质量", "坏了", "破损", "损坏", "瑕疵", "假货", "过期", "变质", "不能用", "掉色"],
    "物流配送": ["快递", "物流", "配送", "没到", "没收到", "发货", "送货", "丢件", "运输"],
    "服务态度": ["态度", "客服", "不理人", "骂", "敷衍", "服务差", "爱答不理"],
    "退款退货": ["退款", "退货", "退钱", "换货", "售后", "退回"],
    "价格": ["价格", "降价", "贵", "差价", "多收", "乱收费", "优惠券", "扣款"],
}


class NotifySettings(BaseModel):
    """Where a new or reopened ticket is announced. WeCom `touser` takes userids joined by
    `|`; none of the three set: the on-duty staff (conversation.human_agent.notify, which
    defaults to conversation.staff_admins)."""

    touser: str | None = Field(
        None, description="WeCom userids a|b (SIYU_COMPLAINTS__NOTIFY__TOUSER)"
    )
    totag: str | None = Field(None, description="WeCom tag ids 1|2 instead of / besides users")
    robot_key: str | None = Field(
        None, description="group-robot webhook key (cgi-bin/webhook/send?key=) as an alternative"
    )
    retry_seconds: float = Field(30.0, gt=0, description="first retry delay, doubled each time")
    max_attempts: int = Field(8, ge=1, description="then the notification is given up (logged)")
    send_timeout_seconds: float = Field(5.0, gt=0)


class SlaHours(BaseModel):
    first_response: float = Field(gt=0, description="hours from opening to the first staff action")
    resolution: float = Field(gt=0, description="hours from opening to resolved")


_SLA = {
    ComplaintSeverity.URGENT: SlaHours(first_response=0.5, resolution=4),
    ComplaintSeverity.HIGH: SlaHours(first_response=1, resolution=12),
    ComplaintSeverity.NORMAL: SlaHours(first_response=4, resolution=48),
    ComplaintSeverity.LOW: SlaHours(first_response=24, resolution=120),
}


class ComplaintSettings(BaseModel):
    categories: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in _CATEGORIES.items()},
        description="category -> keywords; the first category with a keyword in the text wins",
    )
    urgent_keywords: list[str] = Field(
        default=["12315", "曝光", "律师", "起诉", "媒体", "报警", "消协", "工商"]
    )
    high_keywords: list[str] = Field(default=["骗子", "欺诈", "差评", "再也不买", "太差", "气死"])
    high_below_sentiment: float = Field(
        0.001, ge=0, le=1, description="a complaint this negative (score below) is high severity"
    )
    sla: dict[ComplaintSeverity, SlaHours] = Field(default_factory=lambda: dict(_SLA))
    notify: NotifySettings = Field(default_factory=NotifySettings)
    team_lead: str | None = Field(
        None, description="WeCom userid escalations go to; default: the staff admins"
    )
    reopen_days: int = Field(7, ge=1, description="没解决 this long after resolution reopens")
    min_detail_chars: int = Field(
        12, ge=0, description="a first message shorter than this gets one follow-up question"
    )
    sla_check_seconds: float = Field(60.0, gt=0, description="how often the leader checks SLAs")

    @field_validator("sla")
    @classmethod
    def _every_severity(
        cls, value: dict[ComplaintSeverity, SlaHours]
    ) -> dict[ComplaintSeverity, SlaHours]:
        return {**_SLA, **value}

    def category_names(self) -> list[str]:
        return [*self.categories, OTHER] if OTHER not in self.categories else list(self.categories)


_current = ComplaintSettings()


def configure(settings: ComplaintSettings) -> None:
    """Set once at process start (bot/startup.py), like the currency rates."""
    global _current
    _current = settings


def current() -> ComplaintSettings:
    return _current
