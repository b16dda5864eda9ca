"""/v1/segments/preview: a rule not saved yet, counted and previewed (masked for every role),
so a segment being edited shows who it would select before anyone saves it. Reads only."""

from __future__ import annotations

from pydantic import Field

from bot.api.models import Out, Strict
from bot.api.registry import API, Call
from bot.api.resources.segments import RULE_DOC, PreviewRow, Rule
from crm import segments
from crm.permissions import Action


class DraftIn(Strict):
    rule: Rule = Field(description=RULE_DOC)
    limit: int = Field(10, ge=1, le=50, description="members shown")


class DraftOut(Out):
    count: int
    items: list[PreviewRow]


@API.route("POST", "/v1/segments/preview", action=Action.SEGMENTS_READ, tag="segments",
           body=DraftIn, response=DraftOut, writes=False)  # fmt: skip
async def preview_draft(call: Call) -> DraftOut:
    """Count a rule and show its first members, phone and name masked; errors name the rule
    path (details), as validate does."""
    b: DraftIn = call.body
    total = await segments.count(segments.rule_members(b.rule))
    rows = await segments.preview(segments.rule_queryset(b.rule), b.limit)
    return DraftOut(count=total, items=[PreviewRow.model_validate(r) for r in rows])
