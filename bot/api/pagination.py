"""Cursor pagination: keyset on (sort field, id), so a page never skips or repeats a row while
others are inserted. Every list takes `limit` (capped), `cursor` (opaque) and `sort`."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from bot.api.errors import RequestInvalid

T = TypeVar("T")
M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


class PageQuery(BaseModel):
    """limit / cursor; each list adds its `sort` (a Literal of its sortable fields) and filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"rows per page, at most {MAX_LIMIT}")
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the last page")


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid")

    items: list[T]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{getattr(params[0], '__name__', 'Item')}Page"


def _encode(value: Any, row_id: int) -> str:
    raw = {"v": value.isoformat() if isinstance(value, datetime) else value, "id": row_id}
    raw["t"] = "dt" if isinstance(value, datetime) else "raw"
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(raw["v"]) if raw["t"] == "dt" else raw["v"]
        row_id = raw["id"]
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(row_id)
        return value, row_id
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        problem = {"field": "query.cursor", "message": "not a cursor this API gave"}
        raise RequestInvalid([problem]) from None


def _after(field: str, descending: bool, value: Any, row_id: int) -> Q:
    op = "lt" if descending else "gt"
    past_id: dict[str, Any] = {f"id__{op}": row_id}
    if field == "id":
        return Q(**past_id)
    past: dict[str, Any] = {f"{field}__{op}": value}
    return Q(**past) | Q(Q(**{field: value}), Q(**past_id))


async def page_of(
    qs: QuerySet[M], *, sort: str, limit: int, cursor: str | None
) -> tuple[list[M], str | None]:
    """One page of `qs` in `sort` order (ties broken by id) and the cursor to the next."""
    descending, field = sort.startswith("-"), sort.lstrip("-")
    if cursor is not None:
        qs = qs.filter(_after(field, descending, *_decode(cursor)))
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    rows = await qs.order_by(*dict.fromkeys(order)).limit(limit + 1)
    if len(rows) <= limit:
        return list(rows), None
    last = rows[limit - 1]
    return list(rows[:limit]), _encode(getattr(last, field), last.pk)
