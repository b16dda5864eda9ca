"""Campaign messages rendered in Jinja2's sandbox (the CONTRACT's interface).

PLACEHOLDER written by the dispatch helper so the dispatcher can be tested before the core
helper's render.py merges; the lead keeps core's version. Same signatures, minimal scope:
`customer` (a few fields), `points`, `coupon`, `campaign`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import RenderFailed
from crm.models import Campaign, Customer

_ENV = SandboxedEnvironment(autoescape=False)
MAX_VALUE = 20


@dataclass(frozen=True)
class RenderScope:
    customer: Mapping[str, Any]
    points: Mapping[str, Any]
    coupon: str | None
    campaign: Mapping[str, Any]


def _compile(source: str) -> Any:
    try:
        return _ENV.from_string(source)
    except TemplateError as exc:
        raise RenderFailed("template_syntax") from exc


def _render(template: Any, scope: RenderScope) -> str:
    try:
        return str(template.render(**vars(scope)))
    except Exception as exc:  # a sandboxed template may raise anything: the delivery fails
        raise RenderFailed("render_failed") from exc


class CampaignRenderer:
    def __init__(self, steps: Mapping[int, Any], mapping: Mapping[str, Any] | None) -> None:
        self._steps = steps
        mapping = mapping or {}
        self.template_id: str | None = mapping.get("template_id")
        self.template_url: str | None = mapping.get("url")
        self._data = {key: _compile(str(v)) for key, v in (mapping.get("data") or {}).items()}

    @classmethod
    async def load(cls, campaign: Campaign) -> CampaignRenderer:
        steps = {1: _compile(campaign.text or "")}
        second = (campaign.options or {}).get("second_text")
        if second:
            steps[2] = _compile(str(second))
        return cls(steps, campaign.template_message)

    def text(self, step: int, scope: RenderScope) -> str:
        return _render(self._steps.get(step) or self._steps[1], scope)

    def template_data(self, scope: RenderScope) -> dict[str, dict[str, str]] | None:
        if self.template_id is None:
            return None
        data = {key: _render(template, scope) for key, template in self._data.items()}
        if any(len(v) > MAX_VALUE or "\n" in v for v in data.values()):
            raise RenderFailed("template_value")
        return {key: {"value": value} for key, value in data.items()}


async def scopes(
    customer_ids: Sequence[int],
    campaign: Campaign,
    coupons: Mapping[int, str],
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[int, RenderScope]:
    rows = await Customer.filter(id__in=list(customer_ids)).values(
        "id", "display_name", "points_balance", "city"
    )
    info = {"id": campaign.id, "name": campaign.name}
    return {
        int(row["id"]): RenderScope(
            customer=row,
            points={"balance": row["points_balance"]},
            coupon=coupons.get(int(row["id"])),
            campaign=info,
        )
        for row in rows
    }
