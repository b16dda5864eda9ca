"""WeCom mass-message tasks: a customer added by a staff member is reached through a task
that staff member confirms in their client (externalcontact/add_msg_template).

Deliveries are grouped per (staff member, text) — one task carries one text — in calls of
at most 10,000 external_userid, and wait (status `waiting`, the task's msgid) until the poll
(`get_groupmsg_send_result`) reads per customer whether it was sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.wechat.client import WeChatClients
from bot.wechat.errors import WeChatError
from bot.wechat.models import GroupMsgSendItem
from crm.campaigns import claims
from crm.clock import Clock
from crm.interactions import InteractionJournal, NewInteraction
from crm.models import Channel, DeliveryStatus, Direction, SendChannel
from crm.sql import execute, fetch
from scheduler.dispatch.ratelimit import RateLimiter
from scheduler.dispatch.sending import Prepared, Sender

log = logging.getLogger("siyu.dispatch")

MAX_PER_TASK = 10_000
TASK_KIND = "task:text"
_SENT, _NOT_YET = 1, 0
_FAILED = {2: "wecom: not a contact any more", 3: "wecom: customer's monthly limit"}
_WAITING = """
SELECT DISTINCT d.wechat_msgid, c.follow_user FROM campaign_delivery d
JOIN customer c ON c.id = d.customer_id
WHERE d.status = 'waiting' AND d.wechat_msgid IS NOT NULL
"""
_ROWS = """
SELECT d.id, d.customer_id, d.content, c.external_userid FROM campaign_delivery d
JOIN customer c ON c.id = d.customer_id
WHERE d.status = 'waiting' AND d.wechat_msgid = ? AND c.follow_user = ?
"""


def _groups(items: Sequence[Prepared]) -> Iterator[tuple[str, str, list[Prepared]]]:
    grouped: dict[tuple[str, str], list[Prepared]] = defaultdict(list)
    for item in items:
        grouped[(item.delivery.follow_user or "", item.text)].append(item)
    for (staff, text), members in grouped.items():
        for start in range(0, len(members), MAX_PER_TASK):
            yield staff, text, members[start : start + MAX_PER_TASK]


async def create_tasks(sender: Sender, items: Sequence[Prepared]) -> None:
    for staff, text, members in _groups(items):
        await _create_task(sender, staff, text, members)


async def _create_task(sender: Sender, staff: str, text: str, members: list[Prepared]) -> None:
    await sender.limiter.wait(SendChannel.WECOM_TASK)
    ids = [m.delivery.external_userid or "" for m in members]
    try:
        result = await sender.clients.wecom.add_msg_template(staff, ids, text)
    except WeChatError as exc:
        for member in members:
            await sender.fail_or_retry(member, exc)
        return
    refused = set(result.fail_list)
    for member in members:
        await _record_task(sender, member, result.msgid, refused)


async def _record_task(sender: Sender, member: Prepared, msgid: str, refused: set[str]) -> None:
    delivery = member.delivery
    if delivery.external_userid in refused:
        await claims.mark_failed(
            delivery.id, sender.worker, errcode=None, reason="wecom: fail_list",
            channel=SendChannel.WECOM_TASK, clock=sender.clock,
        )  # fmt: skip
        return
    await claims.mark_sent(
        delivery.id, sender.worker, channel=SendChannel.WECOM_TASK, msgid=msgid,
        content=member.text, clock=sender.clock, status=DeliveryStatus.WAITING,
    )  # fmt: skip


@dataclass(frozen=True)
class TaskPoller:
    """Reads back the outcome of every waiting task, per staff member and customer."""

    clients: WeChatClients
    journal: InteractionJournal
    limiter: RateLimiter
    clock: Clock

    async def poll(self) -> int:
        """Deliveries that became final; a failing task is retried at the next poll."""
        done = 0
        for row in await fetch(_WAITING):
            try:
                done += await self._poll_task(str(row["wechat_msgid"]), str(row["follow_user"]))
            except WeChatError as exc:
                log.warning("task %s: result not read (%s)", row["wechat_msgid"], exc)
        return done

    async def _poll_task(self, msgid: str, staff: str) -> int:
        await self.limiter.wait(SendChannel.WECOM_TASK)
        items = await self.clients.wecom.get_groupmsg_send_result(msgid, staff)
        status = {item.external_userid: item for item in items}
        done = 0
        for row in await fetch(_ROWS, [msgid, staff]):
            item = status.get(str(row["external_userid"]))
            if item is not None and item.status != _NOT_YET:
                done += await self._settle(row, item)
        return done

    async def _settle(self, row: dict, item: GroupMsgSendItem) -> int:
        now = self.clock.now()
        if item.status == _SENT:
            at = datetime.fromtimestamp(item.send_time, UTC) if item.send_time else now
            sql = "UPDATE campaign_delivery SET status = 'sent', sent_at = ?, updated_at = ? "
            values: list = [at, now, row["id"]]
        else:
            reason = _FAILED.get(item.status, f"wecom: status {item.status}")
            sql = "UPDATE campaign_delivery SET status = 'failed', reason = ?, updated_at = ? "
            values = [reason, now, row["id"]]
        changed = await execute(sql + "WHERE id = ? AND status = 'waiting'", values)
        if changed and item.status == _SENT:
            await self.journal.record(
                NewInteraction(
                    Channel.WECOM, Direction.OUT, TASK_KIND, int(row["customer_id"]),
                    content=row["content"], created_at=now,
                )
            )  # fmt: skip
        return changed
