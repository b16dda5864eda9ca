"""What a flow says when it comes back: the reply that ends an interrupting flow (a complaint
in the middle of a survey) ends with the suspended flow's reminder ("we were at question 2:
…"), so the customer knows their next message answers it. Flows register a reminder with
`@remind_on_resume(flow)`; Router.handle adds it to the reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.context import Context
from handlers.state import RESUMED, ConversationState
from handlers.types import Reply, TextReply

Reminder = Callable[[ConversationState], Awaitable[str | None]]
_reminders: dict[str, Reminder] = {}


def remind_on_resume(flow: str) -> Callable[[Reminder], Reminder]:
    """Register what `flow` says when it is resumed (None from it: nothing to say)."""

    def register(reminder: Reminder) -> Reminder:
        _reminders[flow] = reminder
        return reminder

    return register


async def with_reminder(ctx: Context, reply: Reply) -> Reply:
    """`reply`, followed by the resumed flow's reminder when this update resumed one."""
    resumed = ctx.loaded.pop(RESUMED, None)
    if not isinstance(resumed, ConversationState) or not isinstance(reply, TextReply):
        return reply
    reminder = _reminders.get(resumed.flow)
    note = None if reminder is None else await reminder(resumed)
    return TextReply(f"{reply.text}\n\n{note}") if note else reply
