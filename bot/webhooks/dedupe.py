"""First-delivery claims in the store, so WeChat's retries get the first delivery's answer.

A claim is a short lease ("pending") that becomes "done:<reply xml>" once the interaction is
committed and the reply is known. A retry that finds "pending" waits for the first delivery;
if the owner died, the lease runs out and the next retry takes over (the database's unique
key still stops a second record).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bot.store import Store

PENDING = "pending"
DONE = "done:"


class StillProcessing(Exception):
    """The first delivery is still being handled; answer 5xx so WeChat tries again."""


@dataclass(frozen=True, slots=True)
class Claims:
    store: Store
    lease_seconds: float = 8.0
    keep_seconds: float = 3600.0
    poll_seconds: float = 0.02

    async def claim(self, key: str) -> bool:
        return await self.store.set_if_absent(key, PENDING, self.lease_seconds)

    async def finish(self, key: str, reply_xml: str | None) -> None:
        await self.store.set(key, DONE + (reply_xml or ""), self.keep_seconds)

    async def release(self, key: str) -> None:
        await self.store.delete(key)

    async def first_answer(self, key: str, wait: float) -> str | None:
        """The reply the first delivery gave (None: it answered "success")."""
        deadline = time.monotonic() + wait
        while True:
            value = await self.store.get(key)
            if value is not None and value.startswith(DONE):
                return value[len(DONE) :] or None
            if value is None and await self.claim(key):
                raise LeaseExpired
            if time.monotonic() >= deadline:
                raise StillProcessing(key)
            await asyncio.sleep(self.poll_seconds)


class LeaseExpired(Exception):
    """The first delivery's owner vanished; this delivery now holds the claim."""
