"""The `staff` section of the configuration: which role a new WeCom member gets, who is admin.

Plain pydantic only (no ORM import), so loading the configuration stays light."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

RoleName = Literal["admin", "operator", "viewer"]


class StaffSettings(BaseModel):
    default_role: RoleName = Field(
        "viewer", description="the role of a WeCom member on their first message"
    )
    admins: list[str] = Field(default=[], description="WeCom userids that are admins")

    def with_admins(self, more: Iterable[str]) -> StaffSettings:
        """These admins and `more` (conversation.staff_admins, the older key, counts too)."""
        return self.model_copy(update={"admins": list(dict.fromkeys([*self.admins, *more]))})
