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
from crm.surveys import responses, triggers
from crm.surveys.config import SurveySettings
from crm.surveys.responses import Invitation, Outcome, Step
from handlers.context import ChatState, Context, Messenger
from handlers.filters import AsyncFilter, FilterResult, IntentIs, TextContains, TextIn, has_text
from handlers.resuming import remind_on_resume
from handlers.router import Router
from handlers.state import ConversationState, clear_state, load_state, put_state, set_state
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


class InSurvey(AsyncFilter):
    """The chat is in a survey: the store says so or, when the store has no state for this
    chat (a survey sent by a process with its own in-process store, a store that restarted),
    the database holds a live response for the customer. Gives `state`."""

    provides = frozenset({"state"})

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def check_async(self, ctx: Context) -> FilterResult:
        state = await load_state(ctx)
        if state is None and ctx.customer is not None and await responses.any_live(self.clock):
            state = await _from_database(ctx.customer.id, self.clock)
        if state is None or state.flow != FLOW:
            return False
        return {"state": state}


async def _from_database(customer_id: int, clock: Clock) -> ConversationState | None:
    live = await responses.live_response(customer_id, clock)
    if live is None or live.current is None:
        return None
    return ConversationState(FLOW, live.current, {"response": live.id, "survey": live.survey_id})


def survey_router(clock: Clock = SYSTEM_CLOCK) -> Router:
    """The survey routes, reading the time from `clock` (tests pass a FrozenClock)."""
    router = Router("surveys")

    @router.message(InSurvey(clock), ~interrupts, has_text)
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


@remind_on_resume(FLOW)
async def where_we_were(state: ConversationState) -> str | None:
    """A complaint in the middle of the survey is done: the question it interrupted again."""
    asked = await responses.question_now(int(state.data["response"]))
    return None if asked is None else f"我们继续刚才的问卷：\n{asked}"


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


async def invite_and_send(
    store: ChatState, messenger: Messenger, settings: SurveySettings, survey_id: int,
    customer: Customer, *, source: str, marketing: bool = False, clock: Clock = SYSTEM_CLOCK,
) -> Invitation:  # fmt: skip
    """A response created for `customer`, its invitation pushed, the chat put in the survey."""
    invitation = await responses.invite(
        survey_id, customer, source=source, expiry_seconds=settings.expiry_seconds,
        marketing=marketing, clock=clock,
    )  # fmt: skip
    await send_invitation(store, messenger, customer, invitation, clock)
    return invitation


def install_triggers(
    settings: SurveySettings, store: ChatState, messenger: Messenger, clock: Clock = SYSTEM_CLOCK
) -> None:
    """Let crm.surveys.on_complaint_resolved / on_first_order send through this process."""

    async def send(survey_id: int, customer_id: int, source: str) -> None:
        customer = await Customer.get(id=customer_id)
        await invite_and_send(
            store, messenger, settings, survey_id, customer, source=source, clock=clock
        )

    triggers.install(settings, send)
