"""What the conversation handlers can be configured with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AutoReply(BaseModel):
    """A keyword auto-reply: any of `keywords` inside a customer's text gets `reply`."""

    keywords: list[str] = Field(min_length=1)
    reply: str = Field(min_length=1, max_length=2000)
    exact: bool = False


class HumanAgentSettings(BaseModel):
    """Who is told when a customer asks for a person or complains."""

    notify: list[str] | None = Field(
        default=None, description="WeCom userids on duty; default: conversation.staff_admins"
    )
    recent_messages: int = Field(default=5, ge=0, le=20, description="chat lines in the notice")


class ConversationSettings(BaseModel):
    brand_name: str = "siyu 小店"
    auto_replies: list[AutoReply] = []
    default_reply: str | None = None
    staff_admins: list[str] = Field(default=[], description="WeCom userids with the admin role")
    human_agent: HumanAgentSettings = Field(default_factory=HumanAgentSettings)
    state_ttl_seconds: float = Field(
        default=1800, gt=0, description="how long a flow waits for the customer's next message"
    )

    def on_duty(self) -> list[str]:
        """The WeCom userids a hand-over notice goes to (may be empty)."""
        notify = self.human_agent.notify
        return list(self.staff_admins if notify is None else notify)
