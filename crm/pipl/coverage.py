"""Which tables refer to a customer, and what erasure does with each (export reads them all).

`REFERENCES` is declared by hand; `customer_references()` reads the same from Tortoise's model
registry (foreign keys to Customer, and to a table that itself belongs to one customer), and a
test holds the two equal."""

from __future__ import annotations

from collections.abc import Iterator

from tortoise import Tortoise
from tortoise.models import Model

from crm.database import APP

# "Model.field" -> what erasure does (README "Personal data (PIPL)" says why).
REFERENCES: dict[str, str] = {
    "Customer.merged_into": "every record of the person anonymized",
    "Interaction.customer": "text, raw payload, keywords and dedupe key removed; counts kept",
    "CustomerTag.customer": "deleted (inferred or given, a tag describes the person)",
    "CustomerNote.customer": "deleted (staff free text about the person)",
    "SegmentMember.customer": "deleted",
    "ConsentRecord.customer": "deleted (no marketing can reach an erased record)",
    "CampaignDelivery.customer": "rendered text removed; not yet sent: skipped (erased)",
    "Coupon.customer": "kept (a code and its value: accounting)",
    "Complaint.customer": "summary and resolution removed; the complaint row kept",
    "ComplaintMessage.complaint": "text removed",
    "ComplaintHistory.complaint": "note removed",
    "ComplaintNotification.complaint": "text replaced by a placeholder",
    "SurveyResponse.customer": "kept (scores count); an open one abandoned",
    "SurveyAnswer.response": "free text removed; scores and choices kept",
    "Order.customer": "kept (amounts: accounting)",
    "PointsEntry.customer": "note removed; amounts kept (accounting)",
    "LifecycleChange.customer": "kept (stages only)",
    "CustomerMerge.survivor": "snapshot of both records removed; merge marked undoable no more",
}
# Integer columns that hold a customer id without a foreign key.
ID_COLUMNS: dict[str, str] = {
    "CustomerMerge.merged_id": "snapshot removed (as for survivor)",
    "RfmScore.customer_id": "kept (three scores)",
    "AuditEntry.resource_id": "before/after of the customer's entries removed; who and when kept",
}


def _models() -> Iterator[type[Model]]:
    yield from Tortoise.apps[APP].values()


def _fk_targets(model: type[Model]) -> Iterator[tuple[str, str]]:
    for name in model._meta.fk_fields:
        related = model._meta.fields_map[name].related_model  # type: ignore[attr-defined]
        yield name, related.__name__


def customer_references() -> set[str]:
    """`Model.field` for each foreign key to Customer, and to a table with one to Customer."""
    owned = {m.__name__ for m in _models() if any(t == "Customer" for _, t in _fk_targets(m))}
    owned.discard("Customer")
    found = set()
    for model in _models():
        for name, target in _fk_targets(model):
            if target == "Customer" or target in owned:
                found.add(f"{model.__name__}.{name}")
    return found
