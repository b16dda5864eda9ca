"""Keyword → tag rules that staff manage (stored in the database), fed to the nlp automaton."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

import nlp
from crm.actors import Actor
from crm.errors import InvalidInput
from crm.models import KeywordRule
from crm.transactions import transaction

log = logging.getLogger("siyu.keyword_rules")
REFRESH_SECONDS = 60.0


async def active_rules(conn: BaseDBAsyncClient | None = None) -> list[nlp.KeywordRule]:
    rows = await KeywordRule.filter(enabled=True).using_db(conn).values_list("keyword", "tag")
    return [nlp.KeywordRule(keyword=str(k), tag=str(t)) for k, t in rows]


async def reload(conn: BaseDBAsyncClient | None = None) -> int:
    """Rebuild the automaton from the database; returns how many rules are active."""
    rules = await active_rules(conn)
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


async def add(
    keyword: str, tag: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> KeywordRule:
    """Enable the rule (creating it the first time). With `conn`, this process's automaton is
    rebuilt at once and other processes see the rule once the caller's transaction commits."""
    keyword, tag = keyword.strip(), tag.strip()
    if not keyword or not tag:
        raise InvalidInput("a keyword rule needs a keyword and a tag")
    async with transaction(conn) as tx:
        rule = await _enabled(tx, keyword, tag)
    log.info("keyword rule %s → %s enabled by %s", keyword, tag, actor.label)
    await reload(conn)
    return rule


async def _enabled(tx: BaseDBAsyncClient, keyword: str, tag: str) -> KeywordRule:
    # not get_or_create: it opens its transaction on the ambient connection, not on `tx`
    rule = await KeywordRule.get_or_none(keyword=keyword, tag=tag, using_db=tx)
    if rule is None:
        try:
            async with transaction(tx) as savepoint:
                return await KeywordRule.create(using_db=savepoint, keyword=keyword, tag=tag)
        except IntegrityError:  # added at the same moment elsewhere
            rule = await KeywordRule.get(keyword=keyword, tag=tag, using_db=tx)
    if not rule.enabled:
        rule.enabled = True
        await rule.save(using_db=tx, update_fields=["enabled"])
    return rule


async def disable(
    keyword: str, tag: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> bool:
    rules = KeywordRule.filter(keyword=keyword, tag=tag, enabled=True).using_db(conn)
    changed = await rules.update(enabled=False)
    if changed:
        log.info("keyword rule %s → %s disabled by %s", keyword, tag, actor.label)
    await reload(conn)
    return bool(changed)
