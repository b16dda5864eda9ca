"""What a role sees of customers' personal data, through crm.privacy (the one masking rule
both doors use): masked (138****5678, 张**) unless the role may read it unmasked."""

from __future__ import annotations

from crm.actors import Actor
from crm.privacy import sees_unmasked


def sees_pii(actor: Actor) -> bool:
    return sees_unmasked(actor.role)
