"""Process-wide set-up is one explicit step (bot/startup.py), and each resource's context
manager opens and closes it without an app around it."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import nlp
from bot.config import Settings
from bot.startup import prepare_process
from crm import currency, keyword_rules
from crm.database import database, is_open
from crm.interactions import NewInteraction, journal
from crm.models import Channel, Direction, Interaction, InteractionKind, KeywordRule


def test_prepare_process_sets_rates_analysis_and_a_frozen_heap(settings: Settings) -> None:
    before = nlp.default_analyzer().settings
    configured = settings.model_copy(
        update={"nlp": settings.nlp.model_copy(update={"user_words": ["小金瓶"]})}
    )
    try:
        prepare_process(configured)
        assert currency.active() == configured.crm.currency
        assert currency.active().rates  # tests/data/config.yaml sets some
        assert nlp.default_analyzer().settings == configured.nlp
        assert gc.get_freeze_count() > 0
    finally:
        nlp.configure(before)  # other tests analyse with the defaults


async def test_database_migrates_sqlite_in_place_and_closes(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/fresh/siyu.sqlite3"
    async with database(url):
        assert is_open(url)
        assert await Interaction.all().count() == 0  # the schema is there
    assert not is_open(url)


async def test_journal_commits_what_is_queued_before_it_closes(database_url: str) -> None:
    item = NewInteraction(Channel.OA, Direction.OUT, InteractionKind.PUSH_TEXT, content="hi")
    async with journal() as opened:
        pending = asyncio.create_task(opened.record(item))
        await asyncio.sleep(0)  # queued, not yet committed
    assert pending.done() and pending.result() is True
    assert await Interaction.filter(kind="push:text", content="hi").count() == 1


async def test_keyword_rules_added_elsewhere_arrive_while_kept_fresh(database_url: str) -> None:
    def tags() -> set[str]:
        return {hit.tag for hit in nlp.analyze("小金瓶还有货吗").tags}

    try:
        async with keyword_rules.kept_fresh(interval=0.01):
            assert "关注精华" not in tags()
            await KeywordRule.create(keyword="小金瓶", tag="关注精华")  # as another process would
            for _ in range(200):
                if "关注精华" in tags():
                    break
                await asyncio.sleep(0.01)
            assert "关注精华" in tags()
    finally:
        nlp.set_keyword_rules([])  # other tests start without database rules
