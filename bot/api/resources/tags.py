"""/v1/tags and /v1/keyword-rules: the tag vocabulary and the keyword → tag rules. A rule
change rebuilds this process's automaton at once and reaches the others within a minute, as
crm.keyword_rules keeps them fresh from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field
from tortoise.exceptions import IntegrityError

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import keyword_rules, tagging
from crm.errors import Conflict, NotFound
from crm.models import KeywordRule, Tag
from crm.permissions import Action

TAG_NAME = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$", description="no outer spaces")


class TagOut(Out):
    id: int
    name: str
    created_at: datetime


class TagIn(Strict):
    name: str = TAG_NAME


class TagQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name"] = "name"
    prefix: str | None = Field(None, min_length=1, max_length=64, description="names starting so")


class RuleOut(Out):
    id: int
    keyword: str
    tag: str
    enabled: bool
    created_at: datetime


class RuleIn(Strict):
    keyword: str = TAG_NAME
    tag: str = TAG_NAME


class RuleChange(Strict):
    enabled: bool


class RuleQuery(PageQuery):
    sort: Literal["id", "-id", "keyword", "-keyword"] = "id"
    enabled: bool | None = None
    tag: str | None = Field(None, max_length=64)


async def _tag(tag_id: int) -> Tag:
    found = await Tag.get_or_none(id=tag_id)
    if found is None:
        raise NotFound(f"标签 {tag_id} 不存在")
    return found


async def _rule(rule_id: int) -> KeywordRule:
    found = await KeywordRule.get_or_none(id=rule_id)
    if found is None:
        raise NotFound(f"关键词规则 {rule_id} 不存在")
    return found


@API.route("GET", "/v1/tags", action=Action.CUSTOMERS_READ, tag="tags",
           query=TagQuery, response=Page[TagOut])  # fmt: skip
async def list_tags(call: Call) -> Page[TagOut]:
    """List tags, by name prefix."""
    q: TagQuery = call.query
    qs = Tag.all() if q.prefix is None else Tag.filter(name__startswith=q.prefix)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[TagOut](items=[TagOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("POST", "/v1/tags", action=Action.TAGS_WRITE, tag="tags",
           body=TagIn, response=TagOut, status=201)  # fmt: skip
async def create_tag(call: Call) -> TagOut:
    """Add a tag to the vocabulary."""
    try:
        async with in_transaction() as tx:
            tag = await Tag.create(using_db=tx, name=call.body.name)
            await audited(call, tx, "tags.create", "tag", tag.id, after={"name": tag.name})
    except IntegrityError:
        raise Conflict(f"name: 已有标签「{call.body.name}」") from None
    return TagOut.model_validate(tag)


@API.route("DELETE", "/v1/tags/{tag_id}", action=Action.TAGS_WRITE, tag="tags")
async def delete_tag(call: Call) -> None:
    """Delete a tag and take it off every customer."""
    async with in_transaction() as tx:
        tag = await _tag(call["tag_id"])
        await tag.delete(using_db=tx)
        await audited(call, tx, "tags.delete", "tag", tag.id, before={"name": tag.name})
    tagging.forget_cached()


@API.route("GET", "/v1/keyword-rules", action=Action.CUSTOMERS_READ, tag="keyword-rules",
           query=RuleQuery, response=Page[RuleOut])  # fmt: skip
async def list_rules(call: Call) -> Page[RuleOut]:
    """List keyword rules, filtered by enabled and tag."""
    q: RuleQuery = call.query
    filters = {k: v for k, v in (("enabled", q.enabled), ("tag", q.tag)) if v is not None}
    rows, cursor = await page_of(KeywordRule.filter(**filters), sort=q.sort, limit=q.limit,
                                 cursor=q.cursor)  # fmt: skip
    return Page[RuleOut](items=[RuleOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("POST", "/v1/keyword-rules", action=Action.KEYWORD_RULES_WRITE, tag="keyword-rules",
           body=RuleIn, response=RuleOut, status=201)  # fmt: skip
async def create_rule(call: Call) -> RuleOut:
    """Tag whoever writes the keyword (enables the rule if it exists disabled)."""
    b: RuleIn = call.body
    async with in_transaction() as tx:
        rule = await keyword_rules.add(b.keyword, b.tag, actor=call.actor, conn=tx)
        after = {"keyword": rule.keyword, "tag": rule.tag, "enabled": True}
        await audited(call, tx, "keyword_rules.create", "keyword_rule", rule.id, after=after)
    return RuleOut.model_validate(rule)


@API.route("PATCH", "/v1/keyword-rules/{rule_id}", action=Action.KEYWORD_RULES_WRITE,
           tag="keyword-rules", body=RuleChange, response=RuleOut)  # fmt: skip
async def change_rule(call: Call) -> RuleOut:
    """Enable or disable a rule."""
    found = await _rule(call["rule_id"])
    async with in_transaction() as tx:
        before = {"enabled": found.enabled}
        if call.body.enabled:
            await keyword_rules.add(found.keyword, found.tag, actor=call.actor, conn=tx)
        else:
            await keyword_rules.disable(found.keyword, found.tag, actor=call.actor, conn=tx)
        await audited(call, tx, "keyword_rules.update", "keyword_rule", found.id,
                      before=before, after={"enabled": call.body.enabled})  # fmt: skip
    return RuleOut.model_validate(await _rule(found.id))


@API.route("DELETE", "/v1/keyword-rules/{rule_id}", action=Action.KEYWORD_RULES_WRITE,
           tag="keyword-rules")  # fmt: skip
async def delete_rule(call: Call) -> None:
    """Delete a rule (customers keep the tags it gave)."""
    async with in_transaction() as tx:
        found = await _rule(call["rule_id"])
        await found.delete(using_db=tx)
        before = {"keyword": found.keyword, "tag": found.tag}
        await audited(call, tx, "keyword_rules.delete", "keyword_rule", found.id, before=before)
        await keyword_rules.reload(tx)
