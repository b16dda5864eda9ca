"""The route table: each endpoint is one decorated function that records its method, path,
models, permission and summary. The aiohttp routes and the OpenAPI document are both built
from this table, so the document cannot drift from the code.

A handler takes a `Call` (the actor, the request id, the validated path, query and body) and
returns its response model (or a StreamResponse for an export)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from crm.actors import Actor
from crm.permissions import Action

Handler = Callable[["Call"], Awaitable[Any]]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Call:
    request: web.Request
    actor: Actor
    request_id: str
    path: dict[str, int]
    query: Any = None
    body: Any = None

    def __getitem__(self, name: str) -> int:
        """A path parameter (every one is a positive integer id)."""
        return self.path[name]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /api, e.g. /v1/segments/{segment_id}
    handler: Handler
    action: Action
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None  # None: 204 No Content
    status: int = 200
    media_type: str | None = None  # a streamed, non-JSON response (text/csv)
    description: str = ""
    writes: bool | None = None  # None: by method (a POST that only checks or counts: False)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS if self.writes is None else self.writes

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


@dataclass
class Registry:
    routes: list[Route] = field(default_factory=list)

    def route(self, method: str, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Record the decorated handler; `spec` holds Route's other fields."""

        def register(handler: Handler) -> Handler:
            doc = (handler.__doc__ or "").strip()
            spec.setdefault("summary", doc.splitlines()[0] if doc else handler.__name__)
            spec.setdefault("description", doc)
            self.routes.append(Route(method, path, handler, **spec))
            return handler

        return register


API = Registry()
