"""One scheduler among many processes: a lease in the store, renewed while we hold it.

The lease's value names its holder and when it last renewed (read by /healthz). Renewal is
one atomic compare-and-extend in the store (a Lua script in Redis): it extends the lease only
while the lease still names this process, so a process that lost the lease (expired while it
was paused, then taken) can never overwrite the new leader's. It compares the holder, not
the whole value, so a renewal whose reply was lost and that is retried still succeeds.
The loop outlives store errors: it logs one line per failed attempt, backs off and tries
again; a leader that cannot renew before its lease runs out steps down.

A lease is not a fence: a paused leader may overlap briefly with the next one, so every job
stays idempotent through database constraints (the nightly job is).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crm import store_keys
from crm.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger("siyu.scheduler")


class LeaseStore(Protocol):
    async def set_if_absent(self, key: str, value: str, ttl: float) -> bool: ...

    async def get(self, key: str) -> str | None: ...

    async def extend_lease(self, key: str, holder: str, value: str, ttl: float) -> bool: ...

    async def delete_if(self, key: str, expected: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds the scheduler lease and when they last renewed it."""

    holder: str
    renewed_at: datetime | None

    def encode(self) -> str:
        renewed = self.renewed_at.isoformat() if self.renewed_at else None
        return json.dumps({"holder": self.holder, "renewed_at": renewed})

    @classmethod
    def decode(cls, raw: str) -> Lease:
        """Also reads a bare holder id (the value before renewal times were kept)."""
        try:
            data = json.loads(raw)
            renewed = data["renewed_at"]
            return cls(str(data["holder"]), datetime.fromisoformat(renewed) if renewed else None)
        except (ValueError, TypeError, KeyError):
            return cls(raw, None)


async def current_lease(store: LeaseStore, key: str = store_keys.scheduler_lease()) -> Lease | None:
    raw = await store.get(key)
    return None if raw is None else Lease.decode(raw)


def holder_id() -> str:
    """Readable in /healthz and logs: which host and process, plus a nonce for restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leadership:
    """Calls `on_elected` when this process becomes leader and `on_deposed` when it stops."""

    def __init__(
        self,
        store: LeaseStore,
        on_elected: Callable[[], Awaitable[None]],
        on_deposed: Callable[[], Awaitable[None]],
        lease_seconds: float = 30.0,
        key: str = store_keys.scheduler_lease(),
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._store, self._key, self._lease, self._clock = store, key, lease_seconds, clock
        self._on_elected, self._on_deposed = on_elected, on_deposed
        self._interval = lease_seconds / 3
        self.me = holder_id()
        self.leading = False
        self._held: str | None = None  # the lease value we last wrote
        self._expires = 0.0  # monotonic time by which our lease runs out
        self._failures = 0

    async def run(self) -> None:
        try:
            while True:
                delay = await self._attempt()
                await asyncio.sleep(delay)
        finally:
            await self._resign()

    async def _attempt(self) -> float:
        """One renewal (or election); the seconds to wait before the next."""
        try:
            await self._step()
        except Exception as exc:  # the store above all: the loop must outlive its errors
            return await self._failed(exc)
        self._failures = 0
        return self._interval

    async def _step(self) -> None:
        holds = await self._hold()
        if holds and not self.leading:
            await self._on_elected()
            self.leading = True
            log.info("this process (%s) now runs the scheduler", self.me)
        elif not holds and self.leading:
            await self._step_down("another process holds the lease", logging.WARNING)

    async def _hold(self) -> bool:
        started = self._clock.monotonic()
        value = Lease(self.me, self._clock.now()).encode()
        renewed = self._held is not None and await self._store.extend_lease(
            self._key, self.me, value, self._lease
        )
        if renewed or await self._store.set_if_absent(self._key, value, self._lease):
            self._held, self._expires = value, started + self._lease
            return True
        self._held = None
        return False

    async def _failed(self, exc: Exception) -> float:
        self._failures += 1
        delay = min(self._interval, self._interval / 8 * 2 ** (self._failures - 1))
        log.warning(
            "scheduler lease: %s: %s (failure %d); retrying in %.1fs",
            type(exc).__name__, exc, self._failures, delay,
        )  # fmt: skip
        if self.leading and self._clock.monotonic() + delay >= self._expires:
            await self._step_down("the lease runs out before it can be renewed", logging.WARNING)
        return delay

    async def _step_down(self, why: str, level: int) -> None:
        self.leading, self._held = False, None
        log.log(level, "scheduler stopped in this process: %s", why)
        try:
            await self._on_deposed()
        except Exception:
            log.exception("stopping the scheduler failed")

    async def _resign(self) -> None:
        held = self._held  # read first: stepping down forgets it
        if self.leading:
            await self._step_down("this process is stopping", logging.INFO)
        self._held = None
        if held is None:
            return
        try:
            await self._store.delete_if(self._key, held)
        except Exception as exc:
            log.warning("scheduler lease not released (%s: %s)", type(exc).__name__, exc)
