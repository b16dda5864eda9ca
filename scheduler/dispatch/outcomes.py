"""Group commit of accepted sends: while one UPDATE is in flight the next answers collect, so
a worker writes its sends in a few statements a second instead of one per message.

Each sender awaits the commit of its own row before it takes the next delivery, so the
window in which WeChat has accepted a message that is not yet recorded is the sends in
flight (at most `concurrency`) plus the one statement being written.
"""

from __future__ import annotations

import asyncio

from crm.campaigns.claims import Sent, mark_sent_many
from crm.clock import Clock
from crm.surveys import outbox as survey_outbox

MAX_BATCH = 500


class SentWriter:
    def __init__(self, worker: str, clock: Clock) -> None:
        self._worker = worker
        self._clock = clock
        self._pending: list[tuple[Sent, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, sent: Sent) -> bool:
        """True when the row was marked (False: its claim had passed to another worker)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((sent, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            try:
                marked = await mark_sent_many(
                    self._worker, [s for s, _ in batch], clock=self._clock
                )
            except Exception as exc:  # every waiter learns it; the claims expire and retry
                for _, future in batch:
                    future.set_exception(exc)
                continue
            await survey_outbox.started(marked, clock=self._clock)  # survey invitations sent
            for sent, future in batch:
                future.set_result(sent.delivery_id in marked)
