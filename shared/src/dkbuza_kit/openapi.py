"""The OpenAPI document a generated client can use whole.

FastAPI documents what it sees in signatures; this module completes the document with what
the kit's idioms do around them, route by route:
- every error response is `application/problem+json` with the one `Problem` schema;
- an operation lists only the error statuses it can answer, each with the problem codes it
  may carry: 401 (and the bearer scheme as the operation's `security`) behind a dependency
  marked `authenticates` (`authenticate`, `require_roles`), 403 behind `require_roles`, 404
  with path parameters or on writes, 409 on writes, 412/428 with `IF_MATCH`, 400/409/422
  with idempotency, 413 with a body, 422 with any input or unknown query parameters, 503 with
  a database session, plus what the route declares from its service's catalogue
  (`responses=errors.responses(...)`);
- the headers of the kit's idioms: `If-Match` (a parameter, via the `IF_MATCH` dependency),
  `Idempotency-Key` (a parameter of the idempotency dependency), `ETag` on the answers of
  routes marked `RETURNS_ETAG` or `IF_MATCH`, `Idempotent-Replayed` on replayable answers;
- non-JSON answers (CSV, XLSX, iCalendar, Prometheus text) carry a string schema.
"""

import json
from collections.abc import Callable
from collections.abc import Iterator
from http import HTTPStatus
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Header
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from dkbuza_kit.auth import BEARER_SCHEME_DOC
from dkbuza_kit.auth import BEARER_SCHEME_NAME
from dkbuza_kit.auth import is_authenticating
from dkbuza_kit.db import _session
from dkbuza_kit.idempotency import _idempotency
from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import Problem
from dkbuza_kit.query import reject_unknown_query_parameters

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
WRITE_METHODS = {"post", "put", "patch", "delete"}
BINARY_MEDIA_PREFIXES = ("application/vnd.", "application/octet-stream", "application/pdf")

# Codes the kit's idioms answer with, by status (names as raised; titles for the docs).
Code = tuple[int, str, str]
UNAUTHENTICATED: Code = (401, "UNAUTHENTICATED", "Missing or invalid token")
FORBIDDEN: Code = (403, "FORBIDDEN", "Role not allowed")
NOT_FOUND: Code = (404, "NOT_FOUND", "Not found")
WRITE_CONFLICTS: tuple[Code, ...] = (
    (409, "CONCURRENT_UPDATE", "A concurrent change interfered; retry"),
    (409, "CONSTRAINT_VIOLATION", "The change conflicts with existing data"))
IF_MATCH_CODES: tuple[Code, ...] = (
    (412, "PRECONDITION_FAILED", "The resource changed since it was read"),
    (428, "PRECONDITION_REQUIRED", "If-Match is required"))
IDEMPOTENCY_CODES: tuple[Code, ...] = (
    (400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1-200 characters"),
    (409, "IDEMPOTENCY_KEY_IN_USE", "A request with this key is still being processed"),
    (422, "IDEMPOTENCY_KEY_REUSED", "The key was used with another request"))
TOO_LARGE: Code = (413, "PAYLOAD_TOO_LARGE", "Body too large")
INVALID_INPUT: tuple[Code, ...] = (
    (422, "VALIDATION_ERROR", "The request is not valid"),
    (422, "INVALID_VALUE", "A value is out of range or malformed"))
UNKNOWN_QUERY: Code = (422, "UNKNOWN_QUERY_PARAMETER", "Unknown query parameter")
DATABASE_DOWN: tuple[Code, ...] = (
    (503, "DATABASE_UNAVAILABLE", "The database is not reachable; retry later"),
    (503, "QUERY_TIMEOUT", "The database took too long; retry later"))
ETAG_HEADER = {"description": "The resource's version; send it back in If-Match",
               "schema": {"type": "string"}}
REPLAYED_HEADER = {"description": "`true` when this is the stored answer of an earlier request "
                                  "with the same Idempotency-Key",
                   "schema": {"type": "string", "enum": ["true"]}}


async def _if_match(
    if_match: Annotated[str | None, Header(
        alias="If-Match",
        description="The ETag of the version this change is based on (428 without it, "
                    "412 when the resource changed since)")] = None,
) -> str | None:
    return if_match


async def _returns_etag() -> None:
    """A marker: the route answers with the resource's ETag."""


# In a route decorator: `dependencies=[IF_MATCH]` where the handler calls `check_if_match`,
# `dependencies=[RETURNS_ETAG]` where it only calls `set_etag`.
IF_MATCH = Depends(_if_match)
RETURNS_ETAG = Depends(_returns_etag)


_BODY_MODELS: dict[str, type[BaseModel]] = {}


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A `$ref` to `model` for hand-written parts of the document (`openapi_extra`): FastAPI
    only adds the models it sees in signatures, so the model is added to the components too."""
    _BODY_MODELS[model.__name__] = model
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _add_referenced_models(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    text = json.dumps(document["paths"])
    for name, model in _BODY_MODELS.items():
        if name in schemas or f'"#/components/schemas/{name}"' not in text:
            continue
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for nested, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(nested, definition)
        schemas[name] = schema


def _mark_uploads_binary(node: Any) -> None:
    """FastAPI describes an `UploadFile` with `contentMediaType` only (OpenAPI 3.1); generators
    read `format: binary` as a file, and would otherwise send the file as a form field."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "contentMediaType" in node:
            node.setdefault("format", "binary")
        for value in node.values():
            _mark_uploads_binary(value)
    elif isinstance(node, list):
        for item in node:
            _mark_uploads_binary(item)


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency callable below a route's dependant, sub-dependencies included."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)


def _has_input(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params \
            or dependant.cookie_params or dependant.body_params:
        return True
    return any(_has_input(sub) for sub in dependant.dependencies)


def error_codes(route: Any, method: str) -> list[Code]:
    """The problems the kit's idioms can answer on this route (see the module doc)."""
    calls = set(dependency_calls(route.dependant))
    codes: list[Code] = []
    if any(is_authenticating(call) for call in calls):
        codes.append(UNAUTHENTICATED)
    if any(getattr(call, "__qualname__", "").startswith("require_roles.") for call in calls):
        codes.append(FORBIDDEN)
    write = method in WRITE_METHODS
    if route.dependant.path_params or write:
        codes.append(NOT_FOUND)
    if write:
        codes.extend(WRITE_CONFLICTS)
    # A raw body read by the handler is declared in `openapi_extra` (e.g. an XML upload).
    raw_body = "requestBody" in (route.openapi_extra or {})
    if _has_input(route.dependant) or raw_body:
        codes.extend(INVALID_INPUT)
    if reject_unknown_query_parameters in calls \
            and not getattr(route.endpoint, "__dkbuza_any_query__", False):
        codes.append(UNKNOWN_QUERY)
    if route.body_field is not None or raw_body:
        codes.append(TOO_LARGE)
    if _if_match in calls:
        codes.extend(IF_MATCH_CODES)
    if _idempotency in calls:
        codes.extend(IDEMPOTENCY_CODES)
    if _session in calls:
        codes.extend(DATABASE_DOWN)
    return codes


def _problem_response(status: int, existing: dict[str, Any] | None,
                      codes: list[Code]) -> dict[str, Any]:
    """One problem answer: the route's own description (its catalogue codes) and the kit's."""
    parts = [(existing or {}).get("description") or ""]
    parts += [f"`{code}`: {title}" for _, code, title in codes if f"`{code}`" not in parts[0]]
    description = "; ".join(part for part in parts if part and part != "Validation Error") \
        or HTTPStatus(status).phrase
    answer: dict[str, Any] = {"description": description,
                              "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}
    if existing and existing.get("headers"):
        answer["headers"] = existing["headers"]
    return answer


def _string_schemas(content: dict[str, Any]) -> None:
    """Give non-JSON media types a schema (FastAPI leaves them empty)."""
    for media_type, entry in content.items():
        if "json" in media_type or entry.get("schema"):
            continue
        binary = media_type.startswith(BINARY_MEDIA_PREFIXES)
        entry["schema"] = {"type": "string", "format": "binary"} if binary else {"type": "string"}


def complete_operation(operation: dict[str, Any], route: Any, method: str) -> None:
    calls = set(dependency_calls(route.dependant))
    if any(is_authenticating(call) for call in calls):
        operation["security"] = [{BEARER_SCHEME_NAME: []}]
    responses = operation["responses"]
    own = {int(code) for code in route.responses if str(code).isdigit()}
    by_status: dict[int, list[Code]] = {code: [] for code in own if code >= 400}
    for code in error_codes(route, method):
        by_status.setdefault(code[0], []).append(code)
    for key in [key for key in responses if key.isdigit() and int(key) >= 400]:
        if int(key) not in by_status:
            del responses[key]  # FastAPI's blanket 422 on a route that validates nothing
    for status, codes in by_status.items():
        existing = responses.get(str(status)) if status in own else None
        responses[str(status)] = _problem_response(status, existing, codes)
    for key, answer in responses.items():
        if not key.startswith("2"):
            continue
        _string_schemas(answer.get("content", {}))
        headers = answer.setdefault("headers", {})
        if _if_match in calls or _returns_etag in calls:
            headers["ETag"] = ETAG_HEADER
        if _idempotency in calls:
            headers["Idempotent-Replayed"] = REPLAYED_HEADER
        if not headers:
            del answer["headers"]
    operation["responses"] = dict(sorted(responses.items()))


def complete_document(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Complete FastAPI's document for `app` in place (see the module doc)."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER_SCHEME_NAME] = BEARER_SCHEME_DOC
    schemas = components.setdefault("schemas", {})
    # One definition everywhere (a route declaring `model: Problem` gets FastAPI's variant).
    schemas["Problem"] = Problem.model_json_schema()
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    _add_referenced_models(document, schemas)
    _mark_uploads_binary(schemas)
    # Routes of included routers come as contexts carrying their effective dependencies.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        item = document["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is not None:
                complete_operation(operation, route, method.lower())
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at `/openapi.json` (built once, like FastAPI's own)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_document(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
