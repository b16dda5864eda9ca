"""Every key the key-value store holds, spelled in one place (one function per family).

The store adds its own prefix (`siyu:` on Redis). Changing a spelling here changes what
running processes share, so each family keeps its string stable across releases.
"""

from __future__ import annotations


def dedupe_claim(channel: str, dedupe_key: str) -> str:
    """The first delivery's claim on one inbound callback (bot/webhooks/dedupe.py)."""
    return f"dedupe:{channel}:{dedupe_key}"


def oa_token(app_id: str) -> str:
    """The Official Account's cached access token."""
    return f"wechat:token:oa:{app_id}"


def wecom_token(corp_id: str, agent_id: int | str) -> str:
    """A WeCom app's cached access token (one per corp and agent)."""
    return f"wechat:token:wecom:{corp_id}:{agent_id}"


def scheduler_lease() -> str:
    """The lease whose holder runs the scheduler (scheduler/leader.py)."""
    return "scheduler:leader"


def lock(name: str) -> str:
    """A named lock (the store's `lock()`)."""
    return f"lock:{name}"


def negatives(customer_id: int) -> str:
    """Negative messages of one customer in the current at-risk window (crm/tagging.py)."""
    return f"negatives:{customer_id}"


def chat_state(channel: str, sender: str) -> str:
    """Conversation state of one sender on one channel (the next answer a flow expects)."""
    return f"chat:{channel}:{sender}"
