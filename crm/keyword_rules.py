"""Keyword → tag rules that staff manage (stored in the database), fed to the nlp automaton."""

from __future__ import annotations

import nlp
from crm.errors import InvalidInput
from crm.models import KeywordRule


async def active_rules() -> list[nlp.KeywordRule]:
    rows = await KeywordRule.filter(enabled=True).values_list("keyword", "tag")
    return [nlp.KeywordRule(keyword=str(k), tag=str(t)) for k, t in rows]


async def reload() -> int:
    """Rebuild the automaton from the database; returns how many rules are active."""
    rules = await active_rules()
    nlp.set_keyword_rules(rules)
    return len(rules)


async def add(keyword: str, tag: str) -> KeywordRule:
    keyword, tag = keyword.strip(), tag.strip()
    if not keyword or not tag:
        raise InvalidInput("a keyword rule needs a keyword and a tag")
    rule, created = await KeywordRule.get_or_create(keyword=keyword, tag=tag)
    if not created and not rule.enabled:
        rule.enabled = True
        await rule.save(update_fields=["enabled"])
    await reload()
    return rule


async def disable(keyword: str, tag: str) -> bool:
    changed = await KeywordRule.filter(keyword=keyword, tag=tag, enabled=True).update(enabled=False)
    await reload()
    return bool(changed)
