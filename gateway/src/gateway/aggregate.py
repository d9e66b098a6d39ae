"""Aggregation across the services within one time budget, never all-or-nothing.

`fan_out` starts one request per upstream and waits with `asyncio.wait(timeout=budget)`:
what arrived is used, what did not is cancelled and reported as `timeout`, so a slow or
dead service never delays the answer past the budget nor hides the others' results.

- `GET /v1/kpis`: every service's `/v1/kpis`, each KPI tagged with its `source`.
- `GET /v1/overview`: the home screen in one call. Until the services publish dedicated
  overview figures, it is built from the same `/v1/kpis` documents grouped per service,
  with a count of KPIs per status (met / at_risk / missed / no_data) so a frontend can show
  "plan status distribution", "dossiers at risk", "applications overdue" and "next
  releases" from the KPIs the services compute (each service's KPI ids name the figure).
  `OVERVIEW_PATHS` is the one place to point a service at a dedicated endpoint later.

Both forward the caller's `Authorization` (the services authorise the caller themselves) and
answer 502 only when no service answered; 403 when every service refused the caller.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dkbuza_kit.auth import CurrentPrincipal, Principal
from dkbuza_kit.context import request_id_var
from dkbuza_kit.problems import ProblemError
from gateway.edge import enforce_rate_limit
from gateway.metrics import AGGREGATE_SOURCES
from gateway.upstream import CircuitOpen, Upstream, UpstreamError, UpstreamTimeout

SourceStatus = Literal["ok", "timeout", "error", "circuit_open"]
KPI_STATUSES = ("met", "at_risk", "missed", "no_data")
OVERVIEW_PATHS = {
    "planning": "/v1/kpis",
    "disaster-fund": "/v1/kpis",
    "export-control": "/v1/kpis",
    "statistics": "/v1/kpis",
}
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


async def fan_out(upstreams: dict[str, Upstream], paths: dict[str, str],
                  headers: list[tuple[str, str]], budget_s: float, *,
                  use_breaker: bool = True) -> dict[str, SourceResult]:
    """GET `paths[name]` of every upstream in parallel; results within `budget_s`, always."""
    tasks = {
        name: asyncio.create_task(_fetch(upstream, paths[name], headers, budget_s, use_breaker))
        for name, upstream in upstreams.items() if name in paths
    }
    if not tasks:
        return {}
    done, pending = await asyncio.wait(tasks.values(), timeout=budget_s)
    for task in pending:
        task.cancel()
        _abandoned.add(task)
        task.add_done_callback(_abandoned.discard)
    results: dict[str, SourceResult] = {}
    for name, task in tasks.items():
        if task not in done:
            results[name] = SourceResult("timeout", round(budget_s * 1000))
        elif task.exception() is not None:  # a bug in one source must not sink the others
            results[name] = SourceResult("error", 0)
        else:
            results[name] = task.result()
    return results


def caller_headers(request: Request) -> list[tuple[str, str]]:
    headers = [("X-Request-ID", request_id_var.get() or "")]
    authorization = request.headers.get("authorization")
    if authorization:
        headers.append(("Authorization", authorization))
    return headers


async def _aggregate(request: Request, principal: Principal, endpoint: str,
                     paths: dict[str, str]) -> tuple[dict[str, SourceResult], list[tuple]]:
    """Rate-limit, fan out and refuse when nobody answered; returns results and headers."""
    limit_headers = await enforce_rate_limit(request.app.state.rate_limiter, principal.sub,
                                             request.client.host if request.client else None)
    settings = request.app.state.settings
    results = await fan_out(request.app.state.upstreams, paths, caller_headers(request),
                            settings.aggregate_budget_s)
    for name, result in results.items():
        if result.status == "ok" and not _valid_kpi_list(result.body):
            results[name] = SourceResult("error", result.latency_ms, http_status=200)
        AGGREGATE_SOURCES.labels(endpoint, name, results[name].status).inc()
    if not any(result.status == "ok" for result in results.values()):
        sources = {name: result.describe() for name, result in results.items()}
        if results and all(r.http_status in (401, 403) for r in results.values()):
            raise ProblemError(403, "FORBIDDEN", "no service granted access to its KPIs",
                               sources=sources)
        raise ProblemError(502, "NO_UPSTREAM_ANSWERED", "no service answered in time",
                           sources=sources)
    return results, limit_headers


def _valid_kpi_list(body: Any) -> bool:
    return isinstance(body, list) and all(isinstance(item, dict) for item in body)


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


class ServiceOverviewOut(BaseModel):
    status_counts: dict[str, int]
    kpis: list[dict[str, Any]]


class OverviewOut(BaseModel):
    completed: bool
    sources: dict[str, SourceOut]
    services: dict[str, ServiceOverviewOut]


router = APIRouter(tags=["aggregate"])
AGGREGATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    502: {"description": "No service answered within the budget"},
}


@router.get("/v1/kpis", name="list_kpis", response_model=AggregatedKpisOut,
            responses=AGGREGATE_RESPONSES)
async def list_kpis(request: Request, principal: CurrentPrincipal) -> JSONResponse:
    """Every service's KPIs, collected in parallel within `GATEWAY_AGGREGATE_BUDGET_S`.

    `completed` (and header `X-Gateway-Completed`) is false when a source is missing; each
    source's status is in `sources`. KPIs carry the `source` service they come from.
    """
    paths = dict.fromkeys(request.app.state.upstreams, "/v1/kpis")
    results, limit_headers = await _aggregate(request, principal, "kpis", paths)
    kpis = [{**figure, "source": name} for name, result in results.items()
            if result.status == "ok" for figure in result.body]
    completed = all(result.status == "ok" for result in results.values())
    return _respond({"sources": {name: r.describe() for name, r in results.items()},
                     "kpis": kpis}, completed, limit_headers)


@router.get("/v1/overview", name="get_overview", response_model=OverviewOut,
            responses=AGGREGATE_RESPONSES)
async def get_overview(request: Request, principal: CurrentPrincipal) -> JSONResponse:
    """The internal home screen: per service its KPIs and how many are met / at risk /
    missed / without data, with the same partial-result semantics as `/v1/kpis`."""
    results, limit_headers = await _aggregate(request, principal, "overview", OVERVIEW_PATHS)
    services = {}
    for name, result in results.items():
        if result.status != "ok":
            continue
        counts = Counter(str(figure.get("status")) for figure in result.body)
        services[name] = {"status_counts": {status: counts.get(status, 0)
                                            for status in KPI_STATUSES},
                          "kpis": result.body}
    completed = all(result.status == "ok" for result in results.values())
    return _respond({"sources": {name: r.describe() for name, r in results.items()},
                     "services": services}, completed, limit_headers)
