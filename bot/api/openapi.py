"""The OpenAPI 3.1 document, generated from the route table and the pydantic models: the
paths from the routes, the schemas from `models_json_schema`, the error responses from the
one error shape. Nothing here is written by hand per endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.api.models import ErrorResponse
from bot.api.registry import Route

from .dispatch import MAX_ID

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "validation failed (details name each field)",
    "401": "no token, or an unknown, revoked or expired one",
    "403": "the token's role may not do this",
    "404": "not found",
    "409": "conflicts with the current state",
    "413": "request body too large",
    "429": "rate limited: see Retry-After",
    "503": "a backing service is unavailable: retry",
}
Key = tuple[type[BaseModel], Literal["validation", "serialization"]]


def document(routes: Iterable[Route], *, title: str, version: str) -> dict[str, Any]:
    routes = list(routes)
    refs, schemas = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault("/api" + route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _schemas(routes: list[Route]) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
    keys: list[Key] = [(ErrorResponse, "serialization")]
    for route in routes:
        keys += [(m, "validation") for m in (route.query, route.body) if m is not None]
        if route.response is not None:
            keys.append((route.response, "serialization"))
    unique = list(dict.fromkeys(keys))
    refs, top = models_json_schema(unique, ref_template=REF)
    by_model = {(m, mode): ref for (m, mode), ref in refs.items() if issubclass(m, BaseModel)}
    return by_model, top.get("$defs", {})


def _operation(route: Route, refs: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": f"{route.description}\n\nPermission: `{route.action.value}`.",
        "tags": [route.tag],
        "parameters": _path_parameters(route) + _query_parameters(route, refs),
        "responses": {**_success(route, refs), **_errors()},
    }
    if route.body is not None:
        schema = refs[(route.body, "validation")]
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return op


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    names = route.path_params
    return [{"name": n, "in": "path", "required": True, "schema": schema} for n in names]


def _query_parameters(route: Route, refs: dict[Key, dict[str, Any]]) -> list[dict[str, Any]]:
    if route.query is None:
        return []
    schema = route.query.model_json_schema(ref_template=REF, mode="validation")
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        params.append(param)
    return params


def _success(route: Route, refs: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    if route.media_type is not None:
        content = {route.media_type: {"schema": {"type": "string"}}}
        return {str(route.status): {"description": "streamed", "content": content}}
    if route.response is None:
        return {"204": {"description": "done"}}
    schema = refs[(route.response, "serialization")]
    content = {"application/json": {"schema": schema}}
    return {str(route.status): {"description": "OK", "content": content}}


def _errors() -> dict[str, Any]:
    schema = {"$ref": REF.format(model="ErrorResponse")}
    content = {"application/json": {"schema": schema}}
    return {code: {"description": text, "content": content} for code, text in ERRORS.items()}
