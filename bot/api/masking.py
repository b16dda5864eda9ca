"""What a role sees of customers' personal data: masked (138****5678, 张**) unless the role
may read it unmasked; an unmasked read is an audit row (the caller writes it)."""

from __future__ import annotations

from crm.actors import Actor
from crm.permissions import Action, allowed
from crm.privacy import mask_name, mask_phone


def sees_pii(actor: Actor) -> bool:
    return actor.role is not None and allowed(actor.role, Action.PII_READ)


def phone(actor: Actor, value: str | None) -> str | None:
    return value if sees_pii(actor) else mask_phone(value)


def name(actor: Actor, value: str | None) -> str | None:
    return value if sees_pii(actor) else mask_name(value)
