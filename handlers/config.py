"""What the conversation handlers can be configured with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AutoReply(BaseModel):
    """A keyword auto-reply: any of `keywords` inside a customer's text gets `reply`."""

    keywords: list[str] = Field(min_length=1)
    reply: str = Field(min_length=1, max_length=2000)
    exact: bool = False


class ConversationSettings(BaseModel):
    brand_name: str = "siyu 小店"
    auto_replies: list[AutoReply] = []
    default_reply: str | None = None
    staff_admins: list[str] = Field(default=[], description="WeCom userids with the admin role")
