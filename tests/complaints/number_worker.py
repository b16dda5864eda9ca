"""A separate process taking ticket numbers: `python -m tests.complaints.number_worker URL N`
prints the N numbers it got, one a line (the cross-process uniqueness test)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from crm.complaints.numbers import next_number
from crm.database import close_database, open_database
from crm.transactions import in_transaction


async def take(url: str, count: int) -> None:
    await open_database(url)
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    try:
        for _ in range(count):
            async with in_transaction() as conn:
                print(await next_number(at, "Asia/Shanghai", conn), flush=True)
    finally:
        await close_database()


if __name__ == "__main__":
    asyncio.run(take(sys.argv[1], int(sys.argv[2])))
