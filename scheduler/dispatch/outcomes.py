"""Group commit of accepted sends (marked sent and journaled: crm.campaigns.sent): while one
statement is in flight the next answers collect, so a worker writes its sends in a few
statements a second instead of one per message.

Each sender awaits the commit of its own row before it takes the next delivery, so the
window in which WeChat has accepted a message that is not yet recorded is the sends in
flight (at most `concurrency`) plus the one statement being written.
"""

from __future__ import annotations

import asyncio
import logging

from crm.campaigns.sent import Sent, mark_sent_many
from crm.clock import Clock
from crm.surveys import outbox as survey_outbox

log = logging.getLogger("siyu.dispatch")
MAX_BATCH = 500
# WeChat has accepted these messages: a failed write is tried again before giving up (then the
# claims expire and the sends are repeated). 7.5 s in all, well inside a 60 s lease.
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0)


class SentWriter:
    def __init__(self, worker: str, clock: Clock) -> None:
        self._worker = worker
        self._clock = clock
        self._pending: list[tuple[Sent, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.statements = 0  # how many UPDATEs recorded the sends (group commit at work)

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
                marked = await self._write([s for s, _ in batch])
            except Exception as exc:  # every waiter learns it; the claims expire and retry
                for _, future in batch:
                    future.set_exception(exc)
                continue
            invited = [(s.campaign_id, s.customer_id) for s, _ in batch
                       if s.survey and s.delivery_id in marked]  # fmt: skip
            await survey_outbox.started(invited, clock=self._clock)  # before the senders go on
            for sent, future in batch:
                future.set_result(sent.delivery_id in marked)

    async def _write(self, sent: list[Sent]) -> set[int]:
        """Idempotent (guarded by claim and status), so trying again never marks twice."""
        for delay in (*RETRY_SECONDS, None):
            self.statements += 1
            try:
                return await mark_sent_many(self._worker, sent, clock=self._clock)
            except Exception as exc:
                if delay is None:
                    raise
                log.warning("recording %d sends failed (%s): again in %.1f s",
                            len(sent), type(exc).__name__, delay)  # fmt: skip
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
