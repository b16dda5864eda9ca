"""Keyword → tag rules that staff manage (stored in the database), fed to the nlp automaton."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import nlp
from crm.errors import InvalidInput
from crm.models import KeywordRule

log = logging.getLogger("siyu.keyword_rules")
REFRESH_SECONDS = 60.0


async def active_rules() -> list[nlp.KeywordRule]:
    rows = await KeywordRule.filter(enabled=True).values_list("keyword", "tag")
    return [nlp.KeywordRule(keyword=str(k), tag=str(t)) for k, t in rows]


async def reload() -> int:
    """Rebuild the automaton from the database; returns how many rules are active."""
    rules = await active_rules()
    nlp.set_keyword_rules(rules)
    return len(rules)


@contextlib.asynccontextmanager
async def kept_fresh(interval: float = REFRESH_SECONDS) -> AsyncIterator[None]:
    """The rules loaded now and reloaded every `interval` seconds for the block, so rules
    staff change in another process reach this one within a minute."""
    await reload()
    task = asyncio.create_task(_refresh_every(interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _refresh_every(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await reload()
        except Exception:
            log.exception("keyword rules could not be reloaded; keeping the current ones")


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
