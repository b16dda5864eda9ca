"""One scheduler among many processes: a lease in the store, renewed while we hold it.

A lease is not a fence: a paused leader may overlap briefly with the next one, so every job
stays idempotent through database constraints (the nightly job is).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger("siyu.scheduler")


class LeaseStore(Protocol):
    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool: ...

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...


class Leadership:
    """Calls `on_elected` when this process becomes leader and `on_deposed` when it stops."""

    def __init__(
        self,
        store: LeaseStore,
        on_elected: Callable[[], Awaitable[None]],
        on_deposed: Callable[[], Awaitable[None]],
        lease_seconds: float = 30.0,
        key: str = "scheduler:leader",
    ) -> None:
        self._store, self._key, self._lease = store, key, lease_seconds
        self._on_elected, self._on_deposed = on_elected, on_deposed
        self._me = uuid.uuid4().hex
        self.leading = False

    async def run(self) -> None:
        try:
            while True:
                await self._step()
                await asyncio.sleep(self._lease / 3)
        finally:
            await self._resign()

    async def _step(self) -> None:
        holds = await self._holds()
        if holds and not self.leading:
            self.leading = True
            log.info("this process now runs the scheduler")
            await self._on_elected()
        elif not holds and self.leading:
            self.leading = False
            log.warning("scheduler leadership lost")
            await self._on_deposed()

    async def _holds(self) -> bool:
        if await self._store.set_if_absent(self._key, self._me, self._lease):
            return True
        if await self._store.get(self._key) == self._me:
            await self._store.set(self._key, self._me, self._lease)  # renew
            return True
        return False

    async def _resign(self) -> None:
        if self.leading:
            self.leading = False
            await self._on_deposed()
            if await self._store.get(self._key) == self._me:
                await self._store.delete(self._key)
