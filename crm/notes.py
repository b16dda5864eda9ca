"""Staff notes on a customer: free text, append-only, each one audited with its author."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from crm import audit
from crm.actors import Actor
from crm.customers import survivor_id
from crm.errors import InvalidInput
from crm.models import CustomerNote
from crm.transactions import transaction

MAX_NOTE = 1000
ADD_NOTE = "customers.note"


async def add_note(
    customer_id: int,
    text: str,
    *,
    actor: Actor,
    request_id: str | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> CustomerNote:
    """A note by `actor`, with its audit row in the same transaction. InvalidInput for an
    empty or too long text (nothing written); NotFound for an unknown customer."""
    body = text.strip()
    if not body or len(body) > MAX_NOTE:
        raise InvalidInput(f"备注应为 1 到 {MAX_NOTE} 个字")
    async with transaction(conn) as tx:
        live = await survivor_id(customer_id, tx)
        note = await CustomerNote.create(
            customer_id=live, author=actor.label, text=body, using_db=tx
        )
        await audit.record(
            actor, ADD_NOTE, "customer", live,
            after={"note_id": note.id, "text": body}, request_id=request_id, conn=tx,
        )  # fmt: skip
    return note


async def notes(customer_id: int, *, limit: int = 100) -> list[CustomerNote]:
    """The customer's notes, newest first."""
    live = await survivor_id(customer_id)
    return await CustomerNote.filter(customer_id=live).order_by("-id").limit(limit)
