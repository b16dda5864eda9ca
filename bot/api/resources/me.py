"""/v1/me: who the token is and what its role may do, so a client (the staff console) shows
only the buttons the API would honour. Every role may ask; nothing personal is returned."""

from __future__ import annotations

from bot.api.models import Out
from bot.api.registry import API, Call
from crm.models import Role
from crm.permissions import PERMISSIONS, Action


class MeOut(Out):
    kind: str
    id: str
    name: str
    role: Role
    actions: list[Action]


@API.route("GET", "/v1/me", action=Action.REPORTS_READ, tag="me", response=MeOut)
async def who_am_i(call: Call) -> MeOut:
    """The calling token: its name, role and the actions that role allows."""
    role = call.actor.role or Role.VIEWER
    actions = sorted(PERMISSIONS[role], key=str)
    return MeOut(kind=call.actor.kind.value, id=call.actor.id, name=call.actor.name,
                 role=role, actions=actions)  # fmt: skip
