"""Writes that share the caller's transaction, so an audit row can commit with the change.

The convention for every crm write service:

    async def adjust(..., *, actor: Actor, conn: BaseDBAsyncClient | None = None) -> ...

`actor` names who asks (crm/actors.py); `conn`, when given, is the caller's connection and
every statement of the service runs on it. A service that needs a transaction of its own opens
it with `transaction(conn)`: a new one without `conn`, a savepoint inside the caller's with it,
so the change commits with the caller's transaction and rolls back with it:

    async with in_transaction() as conn:
        entry = await points.adjust(customer_id, 50, "fix:1", actor=actor, conn=conn)
        await audit.record(actor, Action.POINTS_ADJUST, entry, conn=conn)  # the admin-API issue
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.transactions import in_transaction

__all__ = ["BaseDBAsyncClient", "in_transaction", "transaction"]


def transaction(conn: BaseDBAsyncClient | None = None) -> TransactionContext:
    """A transaction of its own, or a savepoint inside `conn`'s: a failure undoes only this
    part and leaves the caller's transaction usable (PostgreSQL aborts a transaction on the
    first failed statement otherwise)."""
    if conn is None:
        return in_transaction()
    return conn._in_transaction()  # what in_transaction() does on the connection it looks up
