"""One error shape for the whole API, {"error": {"code", "message", "details"}}, and the
middleware that maps crm's named errors (and aiohttp's own) onto it with the right status.

Unexpected exceptions are logged and answered 500 with a generic message: exception text
never reaches a client."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from crm import errors

log = logging.getLogger("siyu.api")
Handler = Any  # aiohttp's middleware handler type

# most specific first: CampaignNotFound is a NotFound before it is a CampaignError
_MAPPED: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.InvalidToken, 401, "unauthenticated"),
    (errors.PermissionDenied, 403, "forbidden"),
    (errors.NotFound, 404, "not_found"),
    (errors.Conflict, 409, "conflict"),
    (errors.RateLimited, 429, "rate_limited"),
    (errors.InvalidInput, 400, "invalid_input"),
    (errors.RenderFailed, 400, "render_failed"),
    (errors.SiyuError, 400, "invalid_input"),
)


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"code": code, "message": message, "details": details}}
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def validation_details(exc: ValidationError, where: str) -> list[dict[str, str]]:
    """Each problem with the field it names: body.name, query.limit, path.segment_id."""
    details = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join([where, *(str(p) for p in error["loc"])])
        details.append({"field": field, "message": error["msg"]})
    return details


class RequestInvalid(Exception):
    """A request that failed validation at the edge (body, query or path)."""

    def __init__(self, details: list[dict[str, str]]) -> None:
        super().__init__(details[0]["field"] if details else "request")
        self.details = details


def invalid_response(exc: RequestInvalid) -> web.Response:
    first = exc.details[0] if exc.details else {"field": "request", "message": "invalid"}
    message = f"{first['field']}: {first['message']}"
    return error_response(400, "validation_error", message, exc.details)


def domain_response(exc: errors.SiyuError) -> web.Response:
    for kind, status, code in _MAPPED:
        if isinstance(exc, kind):
            return error_response(status, code, str(exc), _domain_details(exc), _headers(exc))
    raise AssertionError("SiyuError is mapped")  # pragma: no cover


def _domain_details(exc: errors.SiyuError) -> list[dict[str, str]] | None:
    """crm's validation messages list `path: reason` lines (rule.all[0].value: ...)."""
    lines = [line.strip() for line in str(exc).splitlines()[1:] if ": " in line]
    if not lines:
        return None
    return [dict(zip(("field", "message"), line.split(": ", 1), strict=True)) for line in lines]


def _headers(exc: errors.SiyuError) -> dict[str, str] | None:
    if isinstance(exc, errors.RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, errors.InvalidToken):
        return {"WWW-Authenticate": 'Bearer realm="siyu"'}
    return None


def http_response(exc: web.HTTPException) -> web.Response:
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
    return error_response(exc.status, code.get(exc.status, "http_error"), exc.reason)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except RequestInvalid as exc:
        return invalid_response(exc)
    except errors.SiyuError as exc:
        return domain_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return http_response(exc)
    except Exception as exc:
        if errors.is_unavailable(exc):
            log.warning("api %s %s: unavailable (%s)", request.method, request.path, type(exc))
            return error_response(503, "unavailable", "服务暂时不可用，请稍后再试")
        log.exception("api %s %s failed", request.method, request.path)
        return error_response(500, "internal", "服务器内部错误")
