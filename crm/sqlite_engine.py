"""Tortoise's SQLite engine, whose transactions take the write lock at BEGIN (IMMEDIATE).

A deferred transaction that read before another process (`siyu import` beside `siyu serve`)
committed cannot write any more: SQLite fails it at once with "database is locked", without
the busy wait. BEGIN IMMEDIATE waits (busy_timeout) for the other writer, then owns the file
until its commit. Named as the `engine` of the SQLite connection in crm/database.py.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
