"""Who does a thing: every crm write takes an Actor, so the audit log can name it.

An Actor is a value (frozen), built at the door: the admin API from its token, the WeCom
webhook from the staff member, a scheduled job from its name, the chat from the customer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crm.models.staff import Role


class ActorKind(StrEnum):
    API_TOKEN = "api_token"
    STAFF = "staff"
    SYSTEM = "system"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str
    role: Role | None = None  # staff and API tokens; None for the system and customers
    name: str = ""

    @property
    def label(self) -> str:
        """`staff:zhangsan`, `system:nightly`: how logs and the audit log name the actor."""
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(ActorKind.SYSTEM, job)

    @classmethod
    def staff(cls, userid: str, role: Role, name: str = "") -> Actor:
        return cls(ActorKind.STAFF, userid, role, name)

    @classmethod
    def api_token(cls, token_id: str, role: Role, name: str = "") -> Actor:
        return cls(ActorKind.API_TOKEN, token_id, role, name)

    @classmethod
    def customer(cls, customer_id: int) -> Actor:
        return cls(ActorKind.CUSTOMER, str(customer_id))


SYSTEM = Actor.system("siyu")
