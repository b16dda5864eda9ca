"""/v1/tokens: API tokens (admin only). The secret is in the creation's answer and nowhere
else; a list shows name, role, expiry and last use."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import tokens
from crm.models import ApiToken, Role
from crm.permissions import Action

TAG = "tokens"


class TokenOut(Out):
    id: int
    name: str
    role: Role
    prefix: str = Field(description="the secret's first characters, to recognise it")
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@-]+$")
    role: Role
    expires_days: int | None = Field(None, ge=1, le=3650)


class TokenCreated(Out):
    token: TokenOut
    secret: str = Field(description="shown once: store it now, it cannot be read again")


class TokenQuery(PageQuery):
    sort: Literal["id", "-id", "name", "-name"] = "id"
    role: Role | None = None


@API.route("GET", "/v1/tokens", action=Action.TOKENS_MANAGE, tag=TAG,
           query=TokenQuery, response=Page[TokenOut])  # fmt: skip
async def list_tokens(call: Call) -> Page[TokenOut]:
    """List API tokens (never their secrets)."""
    q: TokenQuery = call.query
    qs = ApiToken.all() if q.role is None else ApiToken.filter(role=q.role)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[TokenOut](items=[TokenOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("POST", "/v1/tokens", action=Action.TOKENS_MANAGE, tag=TAG,
           body=TokenCreate, response=TokenCreated, status=201)  # fmt: skip
async def create_token(call: Call) -> TokenCreated:
    """Create a token; the answer holds its secret, shown this once."""
    b: TokenCreate = call.body
    async with in_transaction() as tx:
        issued = await tokens.create_token(
            b.name, b.role, expires_days=b.expires_days, actor=call.actor, conn=tx
        )
        after = {"name": b.name, "role": b.role.value, "expires_at": issued.token.expires_at}
        await audited(call, tx, "tokens.create", "api_token", issued.token.id, after=after)
    return TokenCreated(token=TokenOut.model_validate(issued.token), secret=issued.secret)


@API.route("DELETE", "/v1/tokens/{token_id}", action=Action.TOKENS_MANAGE, tag=TAG,
           response=TokenOut)  # fmt: skip
async def revoke_token(call: Call) -> TokenOut:
    """Revoke a token: every process refuses it from its next request on."""
    async with in_transaction() as tx:
        before = await tokens.get_token(call["token_id"], tx)
        was = before.revoked_at
        token = await tokens.revoke(call["token_id"], conn=tx)
        after = {"revoked_at": token.revoked_at}
        await audited(call, tx, "tokens.revoke", "api_token", token.id,
                      before={"revoked_at": was}, after=after)  # fmt: skip
    return TokenOut.model_validate(token)
