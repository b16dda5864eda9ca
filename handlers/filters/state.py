"""The conversation-state filter: "the next message of this chat answers question 2 of survey 7"."""

from __future__ import annotations

from handlers.context import Context
from handlers.filters.base import AsyncFilter, FilterResult
from handlers.state import Step, load_state


class InState(AsyncFilter):
    """The chat is in `flow` (any flow when None), at `step` when given; the handler gets
    `state: ConversationState`."""

    provides = frozenset({"state"})

    def __init__(self, flow: str | None = None, step: Step | None = None) -> None:
        self.flow, self.step = flow, step

    async def check_async(self, ctx: Context) -> FilterResult:
        state = await load_state(ctx)
        if state is None or (self.flow is not None and state.flow != self.flow):
            return False
        if self.step is not None and state.step != self.step:
            return False
        return {"state": state}
