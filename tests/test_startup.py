"""Process-wide set-up is one explicit step (bot/startup.py), and each resource's context
manager opens and closes it without an app around it."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import nlp
from bot.config import Settings
from bot.startup import prepare_process
from crm import currency
from crm.database import database, is_open
from crm.interactions import NewInteraction, journal
from crm.models import Channel, Direction, Interaction, InteractionKind


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
