"""`GET /openapi.json`: the gateway's own document merged with the services' documents.

Fetched at request time (in parallel, within the aggregation budget) and cached per service
for `GATEWAY_OPENAPI_CACHE_S`; the merged document is cached as long as its sources do not
change. A service that cannot be fetched contributes its last good document (marked `stale`
in `x-gateway-sources`); when a service has never been fetched the answer is a 503 problem
`OPENAPI_INCOMPLETE` with Retry-After, never a 200 with paths missing.

Merging a service's document:
- paths get the `/<service>` prefix (the proxy's routes), operationIds the `<service>-`
  prefix and tags the `<service>-` prefix, so one generated client covers everything;
- components with the same name and the same definition are shared (the common problem
  schema); a name whose definition differs from one already merged is renamed to
  `<Service><Name>` (e.g. `DisasterFundApplicationOut`) and every `$ref` of that service's
  document is rewritten accordingly;
- every merged schema's `title` is its component name, so titles are unique too (generated
  clients name their classes after titles);
- only the published API (`/<service>/v1/...`) is merged, as only that is proxied; the
  proxy's own answers (429 rate limited, 502 upstream unavailable, 504 upstream timeout) are
  added to each of its operations.
"""

import copy
import time
from typing import Any

from fastapi import APIRouter
from fastapi import Request
from fastapi.responses import JSONResponse

from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import problem_response
from gateway.aggregate import SourceResult
from gateway.aggregate import fan_out
from gateway.proxy import PUBLISHED_PREFIX

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
REF_PREFIX = "#/components/"
PROXY_ERRORS = {
    "429": "Rate limited by the gateway",
    "502": "The service is unavailable (or its circuit is open)",
    "504": "The service did not answer in time",
}


def _service_prefix(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("_", "-").split("-"))


def _rewrite_refs(node: Any, renames: dict[tuple[str, str], str]) -> Any:
    """A copy of `node` with `$ref`s to renamed components pointing at the new names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                section, _, name = value[len(REF_PREFIX):].partition("/")
                new = renames.get((section, name))
                out[key] = f"{REF_PREFIX}{section}/{new}" if new else value
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _component_renames(merged: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]],
                       prefix: str) -> dict[tuple[str, str], str]:
    """Which of a service's components must be renamed to merge without clashes.

    A rename changes the refs inside other components, which may create new clashes:
    repeat until nothing changes (each round only adds renames, so it terminates).
    """
    renames: dict[tuple[str, str], str] = {}
    changed = True
    while changed:
        changed = False
        for section, items in theirs.items():
            for name, definition in items.items():
                if (section, name) in renames or name not in merged.get(section, {}):
                    continue
                if merged[section][name] != _rewrite_refs(definition, renames):
                    renames[(section, name)] = f"{prefix}{name}"
                    changed = True
    return renames


def _add_proxy_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status, description in PROXY_ERRORS.items():
        responses.setdefault(status, {"description": description, "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"{REF_PREFIX}schemas/Problem"}}}})


def _titles_from_names(merged: dict[str, Any]) -> None:
    for name, schema in merged.get("components", {}).get("schemas", {}).items():
        if isinstance(schema, dict) and ("type" in schema or "title" in schema):
            schema["title"] = name


def merge_service(merged: dict[str, Any], service: str, document: dict[str, Any]) -> None:
    """Add one service's OpenAPI document to `merged` (in place)."""
    prefix = _service_prefix(service)
    theirs = {section: items for section, items in (document.get("components") or {}).items()
              if isinstance(items, dict)}
    components = merged.setdefault("components", {})
    renames = _component_renames(components, theirs, prefix)
    document = _rewrite_refs(document, renames)
    for section, items in (document.get("components") or {}).items():
        if not isinstance(items, dict):
            continue
        target = components.setdefault(section, {})
        for name, definition in items.items():
            target[renames.get((section, name), name)] = definition
    paths = merged.setdefault("paths", {})
    tags = merged.setdefault("tags", [])
    known_tags = {tag.get("name") for tag in tags}
    for path, item in (document.get("paths") or {}).items():
        if not path.startswith(f"/{PUBLISHED_PREFIX}"):
            continue  # the proxy publishes only the API, not health, metrics or docs
        item = dict(item)
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            _add_proxy_errors(operation)
            if "operationId" in operation:
                operation["operationId"] = f"{service}-{operation['operationId']}"
            operation["tags"] = [f"{service}-{tag}" for tag in operation.get("tags") or []] \
                or [service]
            for tag in operation["tags"]:
                if tag not in known_tags:
                    known_tags.add(tag)
                    tags.append({"name": tag, "description": f"{service} service"})
        paths[f"/{service}{path}"] = item


def merge_documents(own: dict[str, Any], services: dict[str, dict[str, Any] | None],
                    sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = copy.deepcopy(own)
    for service, document in services.items():
        if document is not None:
            merge_service(merged, service, document)
    _titles_from_names(merged)
    merged["x-gateway-sources"] = sources
    merged["x-gateway-completed"] = all(s["status"] == "ok" for s in sources.values())
    return merged


class OpenApiCache:
    """Last good document per service and when it was fetched."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[float, dict[str, Any]]] = {}
        # (the fetch times of the documents it was built from, the merged document)
        self.merged: tuple[tuple[float, ...], dict[str, Any]] | None = None

    def fresh(self, service: str, max_age_s: float) -> dict[str, Any] | None:
        entry = self.documents.get(service)
        if entry and time.monotonic() - entry[0] < max_age_s:
            return entry[1]
        return None

    def store(self, service: str, document: dict[str, Any]) -> None:
        self.documents[service] = (time.monotonic(), document)

    def merged_for(self, services: list[str], build) -> dict[str, Any]:
        """The merged document of the cached documents of `services`, built once per change."""
        key = tuple(self.documents[name][0] for name in services)
        if self.merged is None or self.merged[0] != key:
            self.merged = (key, build({name: self.documents[name][1] for name in services}))
        return self.merged[1]

    def clear(self) -> None:
        self.documents.clear()
        self.merged = None


async def collect_documents(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    app = request.app
    settings = app.state.settings
    cache: OpenApiCache = app.state.openapi_cache
    documents: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    to_fetch = {}
    for name in app.state.upstreams:
        cached = cache.fresh(name, settings.openapi_cache_s)
        if cached is not None:
            documents[name] = cached
            sources[name] = {"status": "ok", "cached": True}
        else:
            to_fetch[name] = "/openapi.json"
    results: dict[str, SourceResult] = await fan_out(
        app.state.upstreams, to_fetch, [], settings.aggregate_budget_s, use_breaker=False)
    for name, result in results.items():
        if result.status == "ok" and isinstance(result.body, dict) and "paths" in result.body:
            cache.store(name, result.body)
            documents[name] = result.body
            sources[name] = {"status": "ok", "latency_ms": result.latency_ms}
            continue
        stale = cache.documents.get(name)
        described = result.describe() if result.status != "ok" else {"status": "error"}
        if stale is not None:
            documents[name] = stale[1]
            described["stale"] = True
        sources[name] = described
    order = list(app.state.upstreams)  # merge in a fixed order: renames are deterministic
    return ({name: documents[name] for name in order if name in documents},
            {name: sources[name] for name in order})


router = APIRouter(tags=["docs"])


@router.get("/openapi.json", name="openapi", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    documents, sources = await collect_documents(request)
    missing = [name for name in request.app.state.upstreams if name not in documents]
    if missing:
        return problem_response(
            503, "OPENAPI_INCOMPLETE",
            f"the documents of {', '.join(missing)} could not be fetched; retry shortly",
            headers={"Retry-After": "5", "X-Gateway-Completed": "false"}, sources=sources)
    cache: OpenApiCache = request.app.state.openapi_cache
    merged = cache.merged_for(list(documents), lambda docs: merge_documents(
        request.app.openapi(), docs, {name: {"status": "ok"} for name in docs}))
    # Every service is in it (some maybe from a stale copy: `sources` says which).
    answer = {**merged, "x-gateway-sources": sources, "x-gateway-completed": True}
    return JSONResponse(answer, headers={"X-Gateway-Completed": "true"})
