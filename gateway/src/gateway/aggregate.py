"""Aggregation across the services within one time budget, never all-or-nothing.

`fetch_all` starts one request per (upstream, path) and waits with
`asyncio.wait(timeout=budget)`: what arrived is used, what did not is cancelled and reported
as `timeout`, so a slow or dead service never delays the answer past the budget nor hides the
others' results. `fan_out` is the one-path-per-upstream case (also used by `/readyz` and the
merged OpenAPI).

- `GET /v1/kpis`: every service's `/v1/kpis`, each KPI tagged with its `source`.
- `GET /v1/overview`: the home screen in one call (plan status distribution, disaster-fund
  dossiers, export applications, next releases); which endpoint feeds which figure is
  `gateway.overview`. A source may need several calls; all of them share the one budget.

Both forward the caller's `Authorization` (the services authorise the caller themselves) and
answer 502 only when no call answered; 403 when every call was refused to the caller.
"""

import asyncio
import time
from collections.abc import Callable
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any
from typing import Literal
from typing import TypeVar

from fastapi import APIRouter
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.context import request_id_var
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import responses
from dkbuza_kit.problems import ProblemError
from gateway import overview
from gateway.edge import EdgePrincipal
from gateway.edge import client_host
from gateway.edge import enforce_rate_limit
from gateway.metrics import AGGREGATE_SOURCES
from gateway.upstream import CircuitOpen
from gateway.upstream import Upstream
from gateway.upstream import UpstreamError
from gateway.upstream import UpstreamTimeout

SourceStatus = Literal["ok", "timeout", "error", "circuit_open"]
Key = TypeVar("Key", bound=Hashable)
# Tasks abandoned at the deadline are kept referenced until their cancellation completes.
_abandoned: set[asyncio.Task] = set()


@dataclass
class SourceResult:
    status: SourceStatus
    latency_ms: int
    http_status: int | None = None
    body: Any = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"status": self.status, "latency_ms": self.latency_ms}
        if self.http_status is not None and self.status != "ok":
            described["http_status"] = self.http_status
        return described


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _fetch(upstream: Upstream, path: str, headers: list[tuple[str, str]],
                 budget_s: float, use_breaker: bool) -> SourceResult:
    started = time.perf_counter()
    try:
        status, body = await upstream.get_json(path, headers, timeout_s=budget_s,
                                               use_breaker=use_breaker)
    except CircuitOpen:
        return SourceResult("circuit_open", _elapsed_ms(started))
    except UpstreamTimeout:
        return SourceResult("timeout", _elapsed_ms(started))
    except UpstreamError:
        return SourceResult("error", _elapsed_ms(started))
    if status != 200:
        return SourceResult("error", _elapsed_ms(started), http_status=status)
    return SourceResult("ok", _elapsed_ms(started), http_status=status, body=body)


async def fetch_all(upstreams: dict[str, Upstream], calls: dict[Key, tuple[str, str]],
                    headers: list[tuple[str, str]], budget_s: float, *,
                    use_breaker: bool = True) -> dict[Key, SourceResult]:
    """GET every `calls[key] = (upstream name, path)` in parallel; results within `budget_s`,
    always. Calls to an upstream that is not configured are left out."""
    tasks = {
        key: asyncio.create_task(_fetch(upstreams[name], path, headers, budget_s, use_breaker))
        for key, (name, path) in calls.items() if name in upstreams
    }
    if not tasks:
        return {}
    done, pending = await asyncio.wait(tasks.values(), timeout=budget_s)
    for task in pending:
        task.cancel()
        _abandoned.add(task)
        task.add_done_callback(_abandoned.discard)
    results: dict[Key, SourceResult] = {}
    for key, task in tasks.items():
        if task not in done:
            results[key] = SourceResult("timeout", round(budget_s * 1000))
        elif task.exception() is not None:  # a bug in one source must not sink the others
            results[key] = SourceResult("error", 0)
        else:
            results[key] = task.result()
    return results


async def fan_out(upstreams: dict[str, Upstream], paths: dict[str, str],
                  headers: list[tuple[str, str]], budget_s: float, *,
                  use_breaker: bool = True) -> dict[str, SourceResult]:
    """GET `paths[name]` of every upstream in parallel; results within `budget_s`, always."""
    return await fetch_all(upstreams, {name: (name, path) for name, path in paths.items()},
                           headers, budget_s, use_breaker=use_breaker)


def caller_headers(request: Request) -> list[tuple[str, str]]:
    headers = [("X-Request-ID", request_id_var.get() or "")]
    authorization = request.headers.get("authorization")
    if authorization:
        headers.append(("Authorization", authorization))
    return headers


async def _aggregate(request: Request, principal: Principal, endpoint: str,
                     calls: dict[Key, tuple[str, str]], usable: Callable[[Key, Any], bool]
                     ) -> tuple[dict[Key, SourceResult], dict[str, Any], list[tuple]]:
    """Rate-limit, fetch every call within the budget and refuse when nothing answered.

    A 200 whose body `usable` rejects becomes an `error` of that call. Returns the results
    by call key, the per-source description and the rate-limit headers.
    """
    limit_headers = await enforce_rate_limit(request.app.state.rate_limiter, principal.sub,
                                             client_host(request))
    settings = request.app.state.settings
    results = await fetch_all(request.app.state.upstreams, calls, caller_headers(request),
                              settings.aggregate_budget_s)
    for key, result in results.items():
        if result.status == "ok" and not usable(key, result.body):
            results[key] = SourceResult("error", result.latency_ms, http_status=200)
    sources = describe_sources(calls, results, endpoint)
    if not any(result.status == "ok" for result in results.values()):
        if results and all(r.http_status in (401, 403) for r in results.values()):
            raise ProblemError(403, "FORBIDDEN", "no service granted access to its figures",
                               sources=sources)
        raise ProblemError(502, "NO_UPSTREAM_ANSWERED", "no service answered in time",
                           sources=sources)
    return results, sources, limit_headers


def describe_sources(calls: dict[Key, tuple[str, str]], results: dict[Key, SourceResult],
                     endpoint: str) -> dict[str, dict[str, Any]]:
    """One entry per upstream: `ok` when all its calls were, else its first failure (in the
    order of `calls`) with the paths that failed; latency of its slowest call. Each source's
    status is counted in `gateway_aggregate_sources_total{endpoint=...}`."""
    by_source: dict[str, list[tuple[str, SourceResult]]] = {}
    for key, (name, path) in calls.items():
        if key in results:
            by_source.setdefault(name, []).append((path, results[key]))
    sources = {}
    for name, outcomes in by_source.items():
        failed = [(path, result) for path, result in outcomes if result.status != "ok"]
        described = (failed[0][1] if failed else outcomes[0][1]).describe()
        described["latency_ms"] = max(result.latency_ms for _, result in outcomes)
        if failed and len(outcomes) > 1:
            described["failed_calls"] = [path for path, _ in failed]
        sources[name] = described
        AGGREGATE_SOURCES.labels(endpoint, name, described["status"]).inc()
    return sources


def _respond(content: dict[str, Any], completed: bool,
             limit_headers: list[tuple[bytes, bytes]]) -> JSONResponse:
    headers = {"X-Gateway-Completed": "true" if completed else "false"}
    headers.update((name.decode(), value.decode()) for name, value in limit_headers)
    return JSONResponse({"completed": completed, **content}, headers=headers)


class SourceOut(BaseModel):
    status: SourceStatus
    latency_ms: int
    http_status: int | None = None


class AggregatedKpisOut(BaseModel):
    completed: bool
    sources: dict[str, SourceOut]
    kpis: list[dict[str, Any]]


router = APIRouter(tags=["aggregate"])
AGGREGATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **responses(*AUTH_ERRORS),
    502: {"description": "`NO_UPSTREAM_ANSWERED`: no service answered within the budget"},
}


@router.get("/v1/kpis", name="list_kpis", response_model=AggregatedKpisOut,
            responses=AGGREGATE_RESPONSES)
async def list_kpis(request: Request, principal: EdgePrincipal) -> JSONResponse:
    """Every service's KPIs, collected in parallel within `GATEWAY_AGGREGATE_BUDGET_S`.

    `completed` (and header `X-Gateway-Completed`) is false when a source is missing; each
    source's status is in `sources`. KPIs carry the `source` service they come from.
    """
    calls = {name: (name, "/v1/kpis") for name in request.app.state.upstreams}
    results, sources, limit_headers = await _aggregate(
        request, principal, "kpis", calls,
        lambda _name, body: overview.has_shape("kpis", body))
    kpis = [{**figure, "source": name} for name, result in results.items()
            if result.status == "ok" for figure in result.body]
    completed = all(result.status == "ok" for result in results.values())
    return _respond({"sources": sources, "kpis": kpis}, completed, limit_headers)


@router.get("/v1/overview", name="get_overview", response_model=overview.OverviewOut,
            responses=AGGREGATE_RESPONSES)
async def get_overview(request: Request, principal: EdgePrincipal) -> JSONResponse:
    """The internal home screen in one call, within `GATEWAY_AGGREGATE_BUDGET_S`.

    - `plan`: status distribution of the initiatives in planning's current reporting period;
    - `disaster_fund`: open dossiers, past / near the one-year mark, near / past phase norms;
    - `export_control`: applications in progress (by age), overdue against their track;
    - `releases`: the next releases of the statistics calendar not yet published.

    Same partial-result semantics as `/v1/kpis`: `completed` (and `X-Gateway-Completed`) is
    false when any call is missing; `sources` gives each service's status (with the
    `failed_calls` when only some of its calls failed); a section is null when none of its
    calls answered, a figure when its own call did not. 502 only when nothing answered.
    The caller's token is forwarded: a figure the caller may not see is missing (the
    service's 403 shows in `sources`).
    """
    planned = overview.overview_calls(today_brussels(request.app.state.clock))
    shapes = {call.figure: call.shape for call in planned}
    calls = {call.figure: (call.source, call.path) for call in planned}
    results, sources, limit_headers = await _aggregate(
        request, principal, "overview", calls,
        lambda figure, body: overview.has_shape(shapes[figure], body))
    bodies = {figure: result.body for figure, result in results.items()
              if result.status == "ok"}
    completed = all(result.status == "ok" for result in results.values())
    return _respond({"sources": sources, **overview.build_overview(bodies)}, completed,
                    limit_headers)
