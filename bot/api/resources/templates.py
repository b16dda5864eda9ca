"""/v1/templates: staff-written message templates (Jinja2, the campaign sandbox), and a render
preview for a chosen customer: errors shown, nothing sent. Roles without the right to see
personal data get the customer's name and birthday masked in the preview; an admin's
unmasked preview is an audit row."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator
from tortoise.exceptions import IntegrityError

from bot.api import masking
from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm.campaigns.render import CampaignRenderer, RenderScope, scopes
from crm.campaigns.spec import check_template
from crm.clock import SYSTEM_CLOCK
from crm.errors import Conflict, NotFound, RenderFailed
from crm.models.campaigns import Campaign, CampaignKind, MessageTemplate
from crm.permissions import Action
from crm.privacy import mask_name

TAG = "templates"
TEMPLATE = "/v1/templates/{template_id}"


class TemplateOut(Out):
    id: int
    name: str
    body: str
    created_at: datetime
    updated_at: datetime


class TemplateIn(Strict):
    name: str = Field(min_length=1, max_length=64)
    body: str = Field(
        min_length=1, max_length=2000, description="Jinja2, e.g. {{ customer.display_name }}"
    )

    @field_validator("body")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return check_template(value)


class PreviewIn(Strict):
    customer_id: int = Field(ge=1, le=2**31 - 1)


class PreviewOut(Out):
    ok: bool
    text: str | None = None
    error: str | None = Field(
        None, description="why it does not render (e.g. template_undefined:x)"
    )
    masked: bool


class TemplateQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name", "updated_at", "-updated_at"] = "id"


async def _template(template_id: int) -> MessageTemplate:
    found = await MessageTemplate.get_or_none(id=template_id)
    if found is None:
        raise NotFound(f"模板 {template_id} 不存在")
    return found


@API.route("GET", "/v1/templates", action=Action.CAMPAIGNS_READ, tag=TAG,
           query=TemplateQuery, response=Page[TemplateOut])  # fmt: skip
async def list_templates(call: Call) -> Page[TemplateOut]:
    """List stored message templates."""
    q: TemplateQuery = call.query
    rows, cursor = await page_of(MessageTemplate.all(), sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[TemplateOut](
        items=[TemplateOut.model_validate(r) for r in rows], next_cursor=cursor
    )


@API.route("GET", TEMPLATE, action=Action.CAMPAIGNS_READ, tag=TAG, response=TemplateOut)
async def get_template(call: Call) -> TemplateOut:
    """One template."""
    return TemplateOut.model_validate(await _template(call["template_id"]))


@API.route("POST", "/v1/templates", action=Action.CAMPAIGNS_WRITE, tag=TAG,
           body=TemplateIn, response=TemplateOut, status=201)  # fmt: skip
async def create_template(call: Call) -> TemplateOut:
    """Store a template (it must compile in the sandbox)."""
    b: TemplateIn = call.body
    try:
        async with in_transaction() as tx:
            stored = await MessageTemplate.create(using_db=tx, name=b.name, body=b.body)
            await audited(call, tx, "templates.create", "template", stored.id, after=b.model_dump())
    except IntegrityError:
        raise Conflict(f"name: 已有同名模板「{b.name}」") from None
    return TemplateOut.model_validate(stored)


@API.route("PUT", TEMPLATE, action=Action.CAMPAIGNS_WRITE, tag=TAG,
           body=TemplateIn, response=TemplateOut)  # fmt: skip
async def replace_template(call: Call) -> TemplateOut:
    """Change a template's name and body (campaigns using it render the new body)."""
    b: TemplateIn = call.body
    try:
        async with in_transaction() as tx:
            stored = await _template(call["template_id"])
            before = {"name": stored.name, "body": stored.body}
            stored.update_from_dict(b.model_dump())
            await stored.save(using_db=tx, update_fields=["name", "body", "updated_at"])
            await audited(call, tx, "templates.update", "template", stored.id,
                          before=before, after=b.model_dump())  # fmt: skip
    except IntegrityError:
        raise Conflict(f"name: 已有同名模板「{b.name}」") from None
    return TemplateOut.model_validate(stored)


@API.route("DELETE", TEMPLATE, action=Action.CAMPAIGNS_WRITE, tag=TAG)
async def delete_template(call: Call) -> None:
    """Delete a template no campaign uses (409 while one does)."""
    try:
        async with in_transaction() as tx:
            stored = await _template(call["template_id"])
            before = {"name": stored.name, "body": stored.body}
            await stored.delete(using_db=tx)
            await audited(call, tx, "templates.delete", "template", stored.id, before=before)
    except IntegrityError:
        raise Conflict(f"模板 {call['template_id']} 仍被活动使用，不能删除") from None


@API.route("POST", TEMPLATE + "/preview", action=Action.CAMPAIGNS_READ, tag=TAG,
           body=PreviewIn, response=PreviewOut, writes=False)  # fmt: skip
async def preview_template(call: Call) -> PreviewOut:
    """Render the template for one customer in the sandbox; nothing is sent."""
    stored = await _template(call["template_id"])
    customer_id, unmasked = call.body.customer_id, masking.sees_pii(call.actor)
    campaign = Campaign(id=0, name="预览", kind=CampaignKind.CUSTOM, text=stored.body,
                        timezone="Asia/Shanghai", options={})  # fmt: skip
    found = await scopes([customer_id], campaign, {}, clock=SYSTEM_CLOCK)
    if customer_id not in found:
        raise NotFound(f"顾客 {customer_id} 不存在")
    scope = found[customer_id] if unmasked else _masked(found[customer_id])
    if unmasked:
        async with in_transaction() as tx:
            await audited(
                call, tx, "pii.read", "customer", customer_id, after={"via": "template_preview"}
            )
    try:
        text = (await CampaignRenderer.load(campaign)).text(1, scope)
    except RenderFailed as exc:
        return PreviewOut(ok=False, error=exc.reason, masked=not unmasked)
    return PreviewOut(ok=True, text=text, masked=not unmasked)


def _masked(scope: RenderScope) -> RenderScope:
    customer = dict(scope.customer)
    customer["display_name"] = mask_name(customer.get("display_name")) or ""
    if customer.get("birthday"):
        customer["birthday"] = "**"
    return dataclasses.replace(scope, customer=customer)
