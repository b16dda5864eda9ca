"""The Official Account's message modes, as a request shows them and as the account is set.

`encrypt_type` in the query is covered by no signature, and the plain `signature` covers only
(token, timestamp, nonce): anyone holding one real callback URL could drop `encrypt_type` and
post any plaintext body. So the configured mode decides and a weaker request is refused.
Where plaintext mode is configured on purpose, the body is still unsigned: the first body seen
for a (timestamp, nonce) is remembered in the store, and a second request that reuses them with
another body is refused; WeChat's retries reuse them with the identical body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.config import OfficialAccountMode
from bot.store import Store

_ENVELOPE = frozenset({"ToUserName", "Encrypt"})


def request_mode(
    encrypt_type: str | None, envelope: Mapping[str, Any] | None
) -> OfficialAccountMode:
    """The mode a request claims: plaintext without `encrypt_type=aes`; compatible when the
    encrypted body carries plain fields beside Encrypt."""
    if encrypt_type != "aes":
        return OfficialAccountMode.PLAIN
    if envelope is not None and not _ENVELOPE.issuperset(envelope):
        return OfficialAccountMode.COMPATIBLE
    return OfficialAccountMode.SAFE


def plain_body_key(timestamp: str, nonce: str) -> str:
    return f"plain_body:{timestamp}:{nonce}"


@dataclass(frozen=True, slots=True)
class PlainBodies:
    """The first body seen per (timestamp, nonce), as a digest, for as long as the replay
    window accepts that timestamp."""

    store: Store
    ttl_seconds: float

    async def is_first_body(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """True for the first request with this (timestamp, nonce) and for its retries."""
        key = plain_body_key(timestamp, nonce)
        digest = hashlib.sha256(body).hexdigest()
        if await self.store.set_if_absent(key, digest, self.ttl_seconds):
            return True
        return await self.store.get(key) in (digest, None)  # None: it expired just now
