"""The API documentation every app promises (platform.md, HTTP conventions): stable, unique
operationIds `<tag>-<name>`, every error response documented as a problem (one `Problem`
schema), the headers of the kit's idioms, non-JSON media types, every enum with its official
Dutch labels, and every document valid under openapi-spec-validator. Also what the routes'
dependencies cost: none is a plain `def`, which FastAPI runs in a worker thread per request."""

import inspect
import re
from functools import cache

import pytest
from fastapi.routing import APIRoute
from fastapi.routing import iter_route_contexts
from openapi_spec_validator import validate

from dkbuza_kit.apps import APPS
from dkbuza_kit.openapi import dependency_calls

APP_NAMES = [spec.name for spec in APPS]


@cache
def built_app(app_name: str):
    spec = next(app for app in APPS if app.name == app_name)
    loaded = spec.load()
    settings = loaded.settings_cls(database_url="postgresql+asyncpg://nobody@localhost/none")
    return loaded.create_app(settings)


def openapi(app_name: str) -> dict:
    return built_app(app_name).openapi()


def routes(app_name: str):
    """(method, path, endpoint source) of every documented route."""
    for route in iter_route_contexts(built_app(app_name).routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            source = inspect.getsource(route.endpoint)
            for method in route.methods:
                yield method.lower(), route.path_format, source


def is_coroutine(call) -> bool:
    """A coroutine function, an async generator function, or an object whose `__call__` is
    a coroutine function (a security scheme instance, say)."""
    return (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
            or inspect.iscoroutinefunction(type(call).__call__))


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_no_dependency_hops_to_a_worker_thread(app_name):
    """A synchronous dependency (a clock, the page parameters, the settings) is run by FastAPI
    in the thread pool: a thread switch per request, and the pool's tokens shared by all."""
    synchronous = set()
    for route in iter_route_contexts(built_app(app_name).routes):
        if isinstance(route.original_route, APIRoute):
            synchronous |= {f"{call.__module__}.{call.__qualname__}"
                            for call in dependency_calls(route.dependant)
                            if not is_coroutine(call)}
    assert not synchronous, sorted(synchronous)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_operation_ids_are_unique_and_tagged(app_name):
    document = openapi(app_name)
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        tag = operation["tags"][0]
        assert operation["operationId"].startswith(f"{tag}-"), (method, path)


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_each_method_and_path_is_routed_once(app_name):
    """A route registered twice is served by the first registration, whatever the second one
    documents (the document shows only one, so the check is on the routes themselves)."""
    seen = [(method, path) for method, path, _ in routes(app_name)]
    assert sorted({m for m in seen if seen.count(m) > 1}) == []


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_document_is_valid_openapi(app_name):
    validate(openapi(app_name))


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_every_reference_resolves(app_name):
    document = openapi(app_name)
    schemas = document["components"]["schemas"]
    dangling = {ref for ref in _refs(document)
                if ref.removeprefix("#/components/schemas/") not in schemas}
    assert dangling == set()


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_error_responses_reference_the_one_problem_schema(app_name):
    document = openapi(app_name)
    problem = document["components"]["schemas"]["Problem"]
    assert {"title", "status", "code"} <= set(problem["required"])
    expected = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    wrong = [(method.upper(), path, status)
             for method, path, operation in operations(document)
             for status, answer in operation["responses"].items()
             if int(status) >= 400 and answer.get("content") != expected]
    assert wrong == []
    assert "HTTPValidationError" not in document["components"]["schemas"]
    unnamed = [(method.upper(), path, status)
               for method, path, operation in operations(document)
               for status, answer in operation["responses"].items()
               if int(status) >= 400 and not re.search(r"`[A-Z][A-Z0-9_]+`", answer["description"])]
    assert unnamed == []  # every problem answer names the codes it may carry


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_protected_operations_document_their_auth_and_validation_errors(app_name):
    missing = []
    for method, path, operation in operations(openapi(app_name)):
        if not operation.get("security"):
            continue
        needed = {"401"} | ({"422"} if operation.get("parameters") or
                            operation.get("requestBody") else set())
        if "{" in path:
            needed.add("404")
        missing += [(method.upper(), path, status) for status in needed
                    if status not in operation["responses"]]
    assert missing == []


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_operations_list_only_errors_they_can_answer(app_name):
    paths = openapi(app_name)["paths"]
    assert set(paths["/livez"]["get"]["responses"]) == {"200"}
    assert set(paths["/metrics"]["get"]["responses"]) == {"200"}
    for method, path, operation in operations(openapi(app_name)):
        statuses = set(operation["responses"])
        if method == "get":  # a read conflicts with nothing and has no precondition
            assert not statuses & {"409", "412", "413", "428"}, (path, statuses)
        if method == "get" and "{" not in path:
            assert "404" not in statuses, path


def _header_parameters(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_if_match_and_etag_are_declared_where_used(app_name):
    paths = openapi(app_name)["paths"]
    checked = 0
    for method, path, source in routes(app_name):
        operation = paths[path][method]
        success = next(answer for status, answer in operation["responses"].items()
                       if status.startswith("2"))
        # The If-Match check sits in the route (check_if_match, lock_for_change) or, where the
        # service layer checks it, the route says so with the kit's IF_MATCH marker.
        if any(use in source for use in ("check_if_match(", "lock_for_change(", "[IF_MATCH]")):
            checked += 1
            assert "If-Match" in _header_parameters(operation), (method, path)
            assert {"412", "428"} <= set(operation["responses"]), (method, path)
            assert "`PRECONDITION_FAILED`" in operation["responses"]["412"]["description"]
        else:
            assert not {"412", "428"} & set(operation["responses"]), (method, path)
        if "set_etag(" in source:
            assert "ETag" in success.get("headers", {}), (method, path)
    assert checked > 0 or app_name == "gateway"


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_idempotency_key_is_declared_where_used(app_name):
    paths = openapi(app_name)["paths"]
    for method, path, source in routes(app_name):
        operation = paths[path][method]
        uses = "IdempotencyDep" in source
        assert ("Idempotency-Key" in _header_parameters(operation)) == uses, (method, path)
        if uses:
            success = next(answer for status, answer in operation["responses"].items()
                           if status.startswith("2"))
            assert "Idempotent-Replayed" in success["headers"], (method, path)
            assert {"409", "422"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_every_answer_media_type_has_a_schema(app_name):
    empty = [(method, path, media) for method, path, operation in operations(openapi(app_name))
             for answer in operation["responses"].values()
             for media, entry in answer.get("content", {}).items()
             if "schema" not in entry]
    assert empty == []


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_file_answers_are_declared_with_their_media_types():
    calendar = openapi("statistics")["paths"]
    assert set(calendar["/v1/calendar"]["get"]["responses"]["200"]["content"]) == {
        "application/json"}
    assert set(calendar["/v1/calendar.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}
    assert set(calendar["/v1/calendar.ics"]["get"]["responses"]["200"]["content"]) == {
        "text/calendar"}
    for app_name in ("planning", "disaster-fund", "export-control"):
        exports = [operation for method, path, operation in operations(openapi(app_name))
                   if path.endswith(".{fmt}")]
        assert exports, app_name
        for operation in exports:
            content = operation["responses"]["200"]["content"]
            assert set(content) == {"text/csv", XLSX}
            assert content["text/csv"]["schema"]["type"] == "string"
            assert content[XLSX]["schema"] == {"type": "string", "format": "binary"}


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_one_export_url_convention(app_name):
    """Files at the resource's path plus an extension, never a `?format=` switch."""
    switches = [(method, path) for method, path, operation in operations(openapi(app_name))
                for parameter in operation.get("parameters", [])
                if parameter["name"] == "format" and parameter["in"] == "query"]
    assert switches == []


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_every_enum_carries_its_dutch_labels(app_name):
    schemas = openapi(app_name).get("components", {}).get("schemas", {})
    undocumented = [name for name, schema in schemas.items()
                    if "enum" in schema and not schema.get("description")]
    assert undocumented == []
