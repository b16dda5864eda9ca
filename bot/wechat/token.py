"""Access-token cache: one token per app in the Store, fetched once even under concurrency.

Two locks: an asyncio lock so the coroutines of this process wait for one fetch, and a Store
lock so several processes (Redis) do not all fetch; the cache is re-checked after each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from bot.store import LockTimeout, Store

log = logging.getLogger(__name__)

DEFAULT_MARGIN = 300.0
# A token read from the store is reused in this process this long before the store is asked
# again: a round trip per API call was 9 % of a campaign worker's CPU. Safe because WeChat
# keeps an old token valid for 5 minutes after a new one is issued, and a rejected token
# (40001) is refreshed through the store at once (`refresh`).
LOCAL_SECONDS = 30.0


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int

    def __repr__(self) -> str:
        return f"AccessToken(value=***, expires_in={self.expires_in})"


class TokenFetcher(Protocol):
    """Asks WeChat for a token. `can_force`: `fetch(force=True)` yields a new token even while
    the current one is valid (OA stable_token); otherwise `force` is ignored."""

    @property
    def can_force(self) -> bool: ...

    async def fetch(self, force: bool) -> AccessToken: ...


class TokenCache:
    def __init__(
        self,
        store: Store,
        key: str,
        fetcher: TokenFetcher,
        *,
        margin: float = DEFAULT_MARGIN,
        lock_ttl: float = 15.0,
        lock_wait: float = 10.0,
    ) -> None:
        self._store, self._key, self._fetcher = store, key, fetcher
        self._margin, self._lock_ttl, self._lock_wait = margin, lock_ttl, lock_wait
        self._local = asyncio.Lock()
        self._held: tuple[str, float] | None = None  # (token, monotonic time it expires here)

    async def get(self) -> str:
        """The cached token, fetched when missing."""
        if self._held is not None and time.monotonic() < self._held[1]:
            return self._held[0]
        cached = await self._store.get(self._key)
        return self._hold(cached if cached else await self._refill(stale=None))

    def _hold(self, token: str) -> str:
        self._held = (token, time.monotonic() + LOCAL_SECONDS)
        return token

    async def refresh(self, stale: str) -> str:
        """WeChat rejected `stale`: return a different token (someone else's fresh one, or a
        newly fetched one; forced when the plain fetch hands back `stale` again)."""
        self._held = None
        return self._hold(await self._refill(stale))

    async def invalidate(self) -> None:
        self._held = None
        await self._store.delete(self._key)

    async def _refill(self, stale: str | None) -> str:
        async with self._local:
            cached = await self._usable(stale)
            if cached:
                return cached
            try:
                async with self._store.lock(self._key, self._lock_ttl, self._lock_wait):
                    return await self._fetch_unless_cached(stale)
            except LockTimeout:
                # The holder is stuck or slow; fetching twice is better than not sending.
                log.warning("token lock %s timed out; fetching without it", self._key)
                return await self._fetch_unless_cached(stale)

    async def _usable(self, stale: str | None) -> str | None:
        cached = await self._store.get(self._key)
        return cached if cached and cached != stale else None

    async def _fetch_unless_cached(self, stale: str | None) -> str:
        cached = await self._usable(stale)
        if cached:
            return cached
        token = await self._fetcher.fetch(force=False)
        if stale is not None and token.value == stale and self._fetcher.can_force:
            log.info("token %s rejected but still current: forcing a refresh", self._key)
            token = await self._fetcher.fetch(force=True)
        await self._store.set(self._key, token.value, ttl=self._ttl(token.expires_in))
        return token.value

    def _ttl(self, expires_in: int) -> float:
        if expires_in > 2 * self._margin:
            return expires_in - self._margin
        return max(expires_in / 2, 1.0)
