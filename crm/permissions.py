"""Who may do what: one table, role → allowed actions, used by every door (staff commands in
WeCom, the admin API, the CLI's admin commands). A door builds the Actor and calls `require`
before it calls a crm service; the services themselves trust their caller.

admin: everything. operator: the day-to-day work (customers, tags, points, orders, segments,
campaigns, complaints, surveys), not who may work (staff, API tokens) nor the audit log.
viewer: reads only."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from crm.actors import Actor, ActorKind
from crm.errors import PermissionDenied
from crm.models.staff import Role


class Action(StrEnum):
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    CUSTOMERS_MERGE = "customers.merge"  # merge and unmerge
    TAGS_WRITE = "tags.write"
    KEYWORD_RULES_WRITE = "keyword_rules.write"
    POINTS_ADJUST = "points.adjust"
    ORDERS_WRITE = "orders.write"
    SEGMENTS_READ = "segments.read"
    SEGMENTS_WRITE = "segments.write"
    CAMPAIGNS_READ = "campaigns.read"
    CAMPAIGNS_WRITE = "campaigns.write"
    CAMPAIGNS_SEND = "campaigns.send"
    COMPLAINTS_READ = "complaints.read"
    COMPLAINTS_HANDLE = "complaints.handle"
    SURVEYS_READ = "surveys.read"
    SURVEYS_WRITE = "surveys.write"
    STAFF_READ = "staff.read"
    STAFF_MANAGE = "staff.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_READ = "audit.read"
    PII_READ = "pii.read"  # personal data unmasked (phone, name, birthday, address)
    PII_MANAGE = "pii.manage"  # PIPL: export and erase a person's data (crm/pipl/), admin only
    REPORTS_READ = "reports.read"


_READS = frozenset(
    {
        Action.CUSTOMERS_READ,
        Action.SEGMENTS_READ,
        Action.CAMPAIGNS_READ,
        Action.COMPLAINTS_READ,
        Action.SURVEYS_READ,
        Action.STAFF_READ,
        Action.REPORTS_READ,
    }
)
_DAY_TO_DAY = _READS | {
    Action.CUSTOMERS_WRITE,
    Action.CUSTOMERS_MERGE,
    Action.TAGS_WRITE,
    Action.KEYWORD_RULES_WRITE,
    Action.POINTS_ADJUST,
    Action.ORDERS_WRITE,
    Action.SEGMENTS_WRITE,
    Action.CAMPAIGNS_WRITE,
    Action.CAMPAIGNS_SEND,
    Action.COMPLAINTS_HANDLE,
    Action.SURVEYS_WRITE,
}

PERMISSIONS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Action),
        Role.OPERATOR: frozenset(_DAY_TO_DAY),
        Role.VIEWER: _READS,
    }
)


def allowed(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]


def require(actor: Actor, action: Action) -> None:
    """PermissionDenied unless the actor's role allows the action. The system's own jobs are
    not a door and may do anything; an actor without a role (a customer) may do nothing here."""
    if actor.kind is ActorKind.SYSTEM:
        return
    if actor.role is None or not allowed(actor.role, action):
        role = actor.role.value if actor.role else "无"
        raise PermissionDenied(f"{actor.label}（角色：{role}）无权执行 {action.value}")


def lowest_role(action: Action) -> Role:
    """The least role allowed `action` (what a refusal tells the member to ask for)."""
    return next(r for r in (Role.VIEWER, Role.OPERATOR, Role.ADMIN) if allowed(r, action))
