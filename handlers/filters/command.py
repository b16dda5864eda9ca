"""Staff commands typed to the WeCom app: `/name args...`."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.filters.base import Filter, FilterResult


@dataclass(frozen=True, slots=True)
class CommandCall:
    """A parsed command: `/points 42 100` is name "points", args ("42", "100")."""

    name: str
    args: tuple[str, ...]
    rest: str  # everything after the name, as typed (stripped)


class Command(Filter):
    """A staff member's `/name ...`; the handler gets `command: CommandCall` and `staff: Staff`."""

    provides = frozenset({"command", "staff"})

    def __init__(self, name: str) -> None:
        self.name = name.lower()
        self._prefix = f"/{self.name}"

    def check(self, ctx: Context) -> FilterResult:
        text = ctx.text
        if ctx.staff is None or not text.startswith("/"):
            return False
        head, *tail = text.split(maxsplit=1)
        if head.lower() != self._prefix:
            return False
        rest = tail[0].strip() if tail else ""
        return {"staff": ctx.staff, "command": CommandCall(self.name, tuple(rest.split()), rest)}
