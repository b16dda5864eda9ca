"""A campaign's messages rendered per customer in Jinja2's immutable sandbox.

The templates (inline text, a file in templates/, or a stored MessageTemplate; win-back's
second text; the template message's data fields) compile once per campaign. A template
that fails for one customer (a missing field under StrictUndefined, an unsafe attribute,
a value WeChat would refuse) raises RenderFailed with a short reason: that delivery fails,
the run goes on. The scope holds plain mappings only, never ORM objects, so a template can
reach nothing but the values put there."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jinja2 import Template, TemplateError, UndefinedError
from jinja2.exceptions import SecurityError

import templates
from crm.campaigns.scope import RenderScope, scopes
from crm.errors import RenderFailed
from crm.models.campaigns import Campaign, MessageTemplate

__all__ = ["CampaignRenderer", "RenderScope", "scopes"]
MAX_VALUE = 20  # WeChat's template message limit per keyword value (characters)
_UNDEFINED = re.compile(r"has no attribute '(\w+)'|'(\w+)' is undefined")


@dataclass(frozen=True)
class CampaignRenderer:
    """Compiled once per campaign; `text` and `template_data` per customer."""

    steps: dict[int, Template]
    data: dict[str, Template]
    template_id: str | None
    template_url: str | None

    @classmethod
    async def load(cls, campaign: Campaign) -> CampaignRenderer:
        env = templates.environment()
        steps = {1: env.from_string(await _main_source(campaign))}
        second = (campaign.options or {}).get("second_text")
        if second:
            steps[2] = env.from_string(second)
        mapping = campaign.template_message or {}
        data = {key: env.from_string(src) for key, src in mapping.get("data", {}).items()}
        return cls(steps, data, mapping.get("template_id"), mapping.get("url"))

    def text(self, step: int, scope: RenderScope) -> str:
        template = self.steps.get(step)
        if template is None:
            raise RenderFailed(f"no_text_for_step:{step}")
        text = _render(template, scope).strip()
        if not text:
            raise RenderFailed("template_empty")
        return text

    def template_data(self, scope: RenderScope) -> dict[str, dict[str, str]] | None:
        """{"keyword1": {"value": "…"}}, each value checked as WeChat checks it."""
        if self.template_id is None:
            return None
        return {key: {"value": _value(key, _render(t, scope))} for key, t in self.data.items()}


async def _main_source(campaign: Campaign) -> str:
    if campaign.text:
        return campaign.text
    if campaign.template_file:
        path = templates.TEMPLATE_DIR / campaign.template_file
        return path.read_text(encoding="utf-8")
    stored = await MessageTemplate.get_or_none(id=campaign.template_id)  # type: ignore[attr-defined]
    if stored is None:
        raise RenderFailed("template_missing")
    return stored.body


def _render(template: Template, scope: RenderScope) -> str:
    try:
        return template.render(scope.variables())
    except UndefinedError as exc:
        raise RenderFailed(f"template_undefined:{_missing(str(exc))}", str(exc)) from None
    except SecurityError as exc:
        raise RenderFailed("template_unsafe", str(exc)) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise RenderFailed("template_error", f"{type(exc).__name__}: {exc}") from None


def _missing(message: str) -> str:
    match = _UNDEFINED.search(message)
    return (match.group(1) or match.group(2)) if match else "?"


def _value(key: str, value: str) -> str:
    value = value.strip()
    if "\n" in value or "\r" in value:
        raise RenderFailed(f"template_value_newline:{key}")
    if len(value) > MAX_VALUE:
        raise RenderFailed(f"template_value_too_long:{key}")
    if not value:
        raise RenderFailed(f"template_value_empty:{key}")
    return value
