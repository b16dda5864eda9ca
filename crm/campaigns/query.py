"""SQL pieces with `?` placeholders and their parameters in text order, so pieces join by plain
concatenation and crm.sql renders the whole statement once for the dialect.

A segment's SELECT comes from Tortoise already rendered (`$1, $2, …` on PostgreSQL); `of_members`
turns it back into `?` form. Safe because the segment compiler writes every value as a
parameter: its literals (attribute keys, restricted to \\w) never hold `$` + digits or `?`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm.segments.members import MemberIds
from crm.sql import is_postgres

_NUMBERED = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[Any, ...] = ()

    def __add__(self, other: Query) -> Query:
        return Query(self.sql + other.sql, self.params + other.params)


def q(sql: str, *params: Any) -> Query:
    if sql.count("?") != len(params):
        raise ValueError(f"{sql.count('?')} placeholders for {len(params)} parameters")
    return Query(sql, params)


def in_list(column: str, values: Sequence[Any]) -> Query:
    """`column IN (?, ?)`; an empty list is false (SQL has no empty IN list)."""
    if not values:
        return Query("(1 = 0)")
    return Query(f"{column} IN ({', '.join('?' * len(values))})", tuple(values))


def of_members(members: MemberIds) -> Query:
    """A segment's member ids (column "id") as a `?` query."""
    sql, params = members.sql()
    if not is_postgres():
        return Query(sql, tuple(params))
    ordered = tuple(params[int(n) - 1] for n in _NUMBERED.findall(sql))
    return Query(_NUMBERED.sub("?", sql), ordered)
