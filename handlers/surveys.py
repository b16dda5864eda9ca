"""The survey flow in the chat: while a survey is in progress, the customer's next message is
the answer to the current question (crm.surveys.responses reads and stores it).

The chat state (flow "survey", step = the question's position, data = the response id) lives
in the store with the survey's expiry as TTL. A complaint or an unsubscribe inside a survey
is not taken here: the complaint flow runs (its set_state suspends the survey, its
clear_state resumes it), or the opt-out is done and the survey stays. A retried delivery
never reaches this route (the webhook's dedupe claim comes first), and the response advances
by a conditional update, so two processes reading the same state advance it once.
"""

from __future__ import annotations

from datetime import datetime

from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import Channel, Customer
from crm.surveys import responses
from crm.surveys.responses import Invitation, Outcome, Step
from handlers.context import ChatState, Context, Messenger
from handlers.filters import InState, IntentIs, TextContains, TextIn, has_text
from handlers.router import Router
from handlers.state import ConversationState, clear_state, put_state, set_state
from handlers.types import Reply
from nlp import Intent

FLOW = "survey"
MIN_TTL = 1.0

# What wins over a survey answer (kept in step with handlers/customer.py's opt-out and
# complaint routes, which then take the message)
interrupts = (
    IntentIs(Intent.COMPLAINT, Intent.UNSUBSCRIBE)
    | TextContains("投诉")
    | TextIn("退订", "td", "取消订阅", "unsubscribe")
)


def survey_router(clock: Clock = SYSTEM_CLOCK) -> Router:
    """The survey routes, reading the time from `clock` (tests pass a FrozenClock)."""
    router = Router("surveys")

    @router.message(InState(FLOW), ~interrupts, has_text)
    async def answer(ctx: Context, state: ConversationState, router: Router) -> Reply:
        outcome = await responses.answer(
            int(state.data["response"]), int(state.step), ctx.text,
            tries=int(state.data.get("tries", 0)), clock=clock,
        )  # fmt: skip
        if outcome.step is Step.OVER:
            await clear_state(ctx)  # expired or answered already: the chat is back to normal
            return await router.handle(ctx)
        await _follow(ctx, state, outcome, clock)
        return ctx.reply(outcome.text or "")

    return router


async def _follow(ctx: Context, state: ConversationState, outcome: Outcome, clock: Clock) -> None:
    """The chat state after an answer: the next (or the same) question, or none."""
    if outcome.step in (Step.DONE, Step.LEFT):
        await clear_state(ctx)
        return
    tries = 1 if outcome.step is Step.RETRY else 0
    assert outcome.position is not None and outcome.expires_at is not None
    ttl = ttl_until(outcome.expires_at, clock)
    await set_state(ctx, FLOW, outcome.position, {**state.data, "tries": tries}, ttl=ttl)


def ttl_until(expires_at: datetime, clock: Clock) -> float:
    return max((expires_at - clock.now()).total_seconds(), MIN_TTL)


router = survey_router()


async def send_invitation(
    store: ChatState, messenger: Messenger, customer: Customer, invitation: Invitation,
    clock: Clock = SYSTEM_CLOCK,
) -> None:  # fmt: skip
    """Push the invitation (intro and first question) through the customer-service API; the
    chat is put in the survey only once the send succeeded (otherwise it is withdrawn)."""
    try:
        await messenger.to_customer(customer, invitation.text)
    except Exception:
        await responses.withdraw(invitation.response_id)
        raise
    data = {"response": invitation.response_id, "survey": invitation.survey_id}
    state = ConversationState(FLOW, invitation.position, data)
    ttl = ttl_until(invitation.expires_at, clock)
    await put_state(store, Channel.OA, str(customer.openid), state, ttl)
