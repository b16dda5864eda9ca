"""Another process merging two customers and holding the merge's transaction open until told
(`python -m tests.crm.held_merge URL SURVIVOR MERGED`): prints "merged", commits on a line
on stdin. Used to race a write in the test process against a merge committing beside it."""

from __future__ import annotations

import asyncio
import sys

from tortoise.transactions import in_transaction

from crm.actors import SYSTEM
from crm.database import close_database, open_database
from crm.merge import merge_customers


async def main(url: str, survivor: int, merged: int) -> None:
    await open_database(url)
    try:
        async with in_transaction() as tx:
            await merge_customers(survivor, merged, "staff", actor=SYSTEM, conn=tx)
            print("merged", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
    finally:
        await close_database()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
