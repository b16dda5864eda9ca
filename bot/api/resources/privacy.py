"""/v1/customers/{id}/erase and /export: a person's rights under PIPL (arts. 45 and 47), admin
only (`pii.manage`), audited. Erasure takes the same path as the chat and the staff command
(handlers.erasure); the export is everything crm.pipl.export reads, unmasked."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.api.models import Out
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from bot.keys import PIPELINE, STORE
from crm.permissions import Action
from crm.pipl import export
from handlers.erasure import erase_person

TAG = "privacy"
CUSTOMER = "/v1/customers/{customer_id}"
Rows = list[dict[str, Any]]


class ErasedOut(Out):
    customer_id: int = Field(description="the live record the id given stands for")
    records: list[int] = Field(description="it and every record merged into it")
    already: bool = Field(description="erased before: nothing changed this time")
    customer_told: bool = Field(description="the confirmation reached the person")


class ExportOut(Out):
    customer_id: int
    records: Rows
    interactions: Rows
    tags: Rows
    notes: Rows
    segments: Rows
    consent: Rows
    points_ledger: Rows
    orders: Rows
    campaign_deliveries: Rows
    coupons: Rows
    lifecycle_changes: Rows
    complaints: Rows
    complaint_messages: Rows
    complaint_history: Rows
    complaint_notifications: Rows
    survey_responses: Rows
    survey_answers: Rows
    merge_records: Rows
    rfm: Rows
    audit: Rows


@API.route("POST", CUSTOMER + "/erase", action=Action.PII_MANAGE, tag=TAG, response=ErasedOut)
async def erase_customer(call: Call) -> ErasedOut:
    """Erase the person's personal data (idempotent); they are told once, when reachable."""
    app = call.request.config_dict
    outcome = await erase_person(
        call["customer_id"], actor=call.actor, store=app[STORE],
        messenger=app[PIPELINE].messenger, request_id=call.request_id,
    )  # fmt: skip
    erased = outcome.erased
    return ErasedOut(customer_id=erased.customer_id, records=list(erased.record_ids),
                     already=erased.already, customer_told=outcome.told)  # fmt: skip


@API.route("GET", CUSTOMER + "/export", action=Action.PII_MANAGE, tag=TAG, response=ExportOut)
async def export_customer(call: Call) -> ExportOut:
    """Everything held about the person, as JSON (the right of access); audited."""
    held = await export.export_customer(call["customer_id"])
    async with in_transaction() as tx:
        await audited(call, tx, export.ACTION, "customer", held["customer_id"])
    return ExportOut.model_validate(held)
