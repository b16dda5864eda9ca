"""API tokens: a random secret shown once, stored only as its sha256, with a role, an expiry,
the time it was last used, and a revocation.

`authenticate` reads the token's row on every request (one indexed query): a token revoked by
any process, or by the CLI, fails on its very next use everywhere; no process caches a role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK, Clock
from crm.errors import Conflict, InvalidInput, InvalidToken, NotFound
from crm.models import ApiToken, Role

SECRET_PREFIX = "siyu_"
LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is a hint: at most one write a minute


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def create_token(
    name: str,
    role: Role,
    *,
    expires_days: int | None = None,
    actor: Actor,
    clock: Clock = SYSTEM_CLOCK,
    conn: BaseDBAsyncClient | None = None,
) -> IssuedToken:
    """A new token; the secret is returned here and never again."""
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise InvalidInput("expires_days: 应在 1 到 3650 之间")
    secret = new_secret()
    expires = clock.now() + timedelta(days=expires_days) if expires_days else None
    try:
        token = await ApiToken.create(
            name=name, role=role, secret_hash=hash_secret(secret), prefix=secret[:12],
            created_by=actor.label, expires_at=expires, using_db=conn,
        )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"name: 已有同名令牌「{name}」") from None
    return IssuedToken(token, secret)


async def list_tokens() -> list[ApiToken]:
    return await ApiToken.all().order_by("id")


async def get_token(token_id: int, conn: BaseDBAsyncClient | None = None) -> ApiToken:
    token = await ApiToken.get_or_none(id=token_id, using_db=conn)
    if token is None:
        raise NotFound(f"令牌 {token_id} 不存在")
    return token


async def revoke(
    token_id: int, *, clock: Clock = SYSTEM_CLOCK, conn: BaseDBAsyncClient | None = None
) -> ApiToken:
    """Revoked from now on (a second revoke keeps the first time)."""
    token = await get_token(token_id, conn)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        await token.save(using_db=conn, update_fields=["revoked_at"])
    return token


async def authenticate(secret: str, *, clock: Clock = SYSTEM_CLOCK) -> Actor:
    """The actor a presented secret stands for, read from the database now."""
    token = await ApiToken.get_or_none(secret_hash=hash_secret(secret))
    now = clock.now()
    if token is None:
        raise InvalidToken("令牌无效")
    if token.revoked_at is not None:
        raise InvalidToken("令牌已吊销")
    if token.expires_at is not None and token.expires_at <= now:
        raise InvalidToken("令牌已过期")
    await _touch(token, now)
    return Actor.api_token(str(token.id), token.role, token.name)


async def _touch(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        await ApiToken.filter(id=token.id).update(last_used_at=now)


def is_active(token: ApiToken, now: datetime) -> bool:
    expired = token.expires_at is not None and token.expires_at <= now
    return token.revoked_at is None and not expired
