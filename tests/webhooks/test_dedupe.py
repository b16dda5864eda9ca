"""First-delivery claims: a retry waits for a live owner, takes over from a dead one, and gets
the first answer once there is one."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import MemoryStore
from bot.webhooks.dedupe import Claims, LeaseExpired, StillProcessing


async def test_a_live_owner_is_waited_for_and_its_answer_given() -> None:
    claims = Claims(MemoryStore(), lease_seconds=5)
    assert await claims.claim("k")
    assert not await claims.claim("k")
    waiting = asyncio.create_task(claims.first_answer("k", wait=2))
    await asyncio.sleep(0.05)
    await claims.finish("k", "<xml>reply</xml>")
    assert await waiting == "<xml>reply</xml>"


async def test_an_answered_success_is_none() -> None:
    claims = Claims(MemoryStore())
    assert await claims.claim("k")
    await claims.finish("k", None)
    assert await claims.first_answer("k", wait=0) is None


async def test_a_dead_owners_claim_is_taken_over_when_its_lease_runs_out() -> None:
    claims = Claims(MemoryStore(), lease_seconds=0.1)
    assert await claims.claim("k")  # its owner dies here and never finishes
    with pytest.raises(LeaseExpired):
        await claims.first_answer("k", wait=2)
    assert not await claims.claim("k")  # the taker holds it now


async def test_a_slow_owner_inside_its_lease_makes_the_retry_come_back() -> None:
    claims = Claims(MemoryStore(), lease_seconds=5)
    assert await claims.claim("k")
    with pytest.raises(StillProcessing):
        await claims.first_answer("k", wait=0.05)
