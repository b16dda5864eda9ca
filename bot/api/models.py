"""Models shared by every resource: the error shape and a base for requests and responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Unknown fields are rejected, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response: built from the crm objects' attributes."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class FieldProblem(Strict):
    field: str
    message: str


class ErrorBody(Strict):
    code: str = Field(description="machine-readable: validation_error, forbidden, not_found, …")
    message: str
    details: list[FieldProblem] | dict[str, Any] | None = None


class ErrorResponse(Strict):
    error: ErrorBody
