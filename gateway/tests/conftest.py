"""The gateway in-process (it has no database) in front of four real HTTP upstreams.

The upstreams are small aiohttp servers on 127.0.0.1 that each test can make slow,
failing, dropping connections or stopped (their port is kept, so a stopped upstream refuses
connections exactly like a dead service).
"""

import asyncio
import importlib
import socket
import sys
from datetime import date
from typing import Any


def _unshadow_gateway_package() -> None:
    """Make `gateway` the installed package, not this repository folder.

    pytest's importlib mode imports this file as `gateway.tests.conftest` and, on the way,
    registers the folder `gateway/` (no `__init__.py`) as a namespace module `gateway`,
    which hides the real package `gateway` (gateway/src/gateway). Drop the namespace
    stand-ins and import the real package; pytest then hangs the test modules under it.
    """
    shadow = sys.modules.get("gateway")
    if shadow is None or getattr(shadow, "__file__", None):
        return
    for name in ("gateway", "gateway.tests"):
        sys.modules.pop(name, None)
    importlib.import_module("gateway")


_unshadow_gateway_package()

import pytest  # noqa: E402 (after the un-shadowing above)
from aiohttp import web  # noqa: E402 (after the un-shadowing above)

from dkbuza_dev.testing import ServiceHarness  # noqa: E402 (after the un-shadowing above)
from dkbuza_kit.kpis import Kpi  # noqa: E402 (after the un-shadowing above)
from dkbuza_kit.kpis import KpiPeriod  # noqa: E402 (after the un-shadowing above)
from dkbuza_kit.kpis import PeriodKind  # noqa: E402 (after the un-shadowing above)
from gateway.ratelimit import MemoryCounters  # noqa: E402 (after the un-shadowing above)
from gateway.ratelimit import RateLimiter  # noqa: E402 (after the un-shadowing above)

SERVICES = ("planning", "disaster-fund", "export-control", "statistics")
READ_TIMEOUT_S = 0.5
AGGREGATE_BUDGET_S = 0.6
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN_S = 0.3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fake_openapi(service: str) -> dict[str, Any]:
    """A small service document: `Error` identical everywhere, `Thing` different per
    service and `ThingPage` identical in text but pointing at each service's own `Thing`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": service, "version": "1.0.0"},
        "paths": {
            "/livez": {"get": {"operationId": "health-livez", "tags": ["health"],
                               "responses": {"200": {"description": "up"}}}},
            "/v1/things": {"get": {
                "operationId": "things-list-things", "tags": ["things"],
                "responses": {
                    "200": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ThingPage"}}}},
                    "404": {"content": {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
            "Thing": {"type": "object", "properties": {f"{service}_field": {"type": "string"}}},
            "ThingPage": {"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}},
        }},
    }


TODAY = date(2026, 11, 28)
CURRENT_PERIOD = KpiPeriod.reporting_period("2026-T2", date(2026, 5, 1), date(2026, 8, 31))
AS_OF_TODAY = KpiPeriod.as_of(TODAY)
LAST_365_DAYS = KpiPeriod(kind=PeriodKind.rolling, start=date(2025, 11, 29), end=TODAY,
                          label="laatste 365 dagen")


def fake_kpi(id: str, value: float | None, *, unit: str = "count", target: float | None = None,
             direction: str = "lower_is_better", status: str = "met",
             period: KpiPeriod = KpiPeriod.calendar_year(2026, TODAY),
             breakdown: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One KPI as `dkbuza_kit.kpis.Kpi` serialises it (every service's `/v1/kpis` item): built
    through the kit's model, so the fakes cannot drift from the services' contract."""
    return Kpi(id=id, title_nl=id, title_en=id, unit=unit, value=value, target=target,
               target_source=None if target is None else "test", target_working_value=False,
               direction=direction, status=status, period=period,
               computed_at="2026-11-28T10:00:00Z", breakdown=breakdown).model_dump(mode="json")


# A few of each service's real KPIs (ids and breakdown shapes as in its `kpis.py`).
SERVICE_KPIS: dict[str, list[dict[str, Any]]] = {
    "planning": [
        fake_kpi("status_reports_complete_pct", 87.5, unit="percent", target=100,
                 direction="higher_is_better", status="at_risk", period=CURRENT_PERIOD),
        fake_kpi("initiatives_on_track_pct", 62.4, unit="percent", target=80,
                 direction="higher_is_better", status="missed", period=CURRENT_PERIOD,
                 breakdown=[{"status": "on_track", "count": 96},
                            {"status": "attention_needed", "count": 40},
                            {"status": "action_needed", "count": 12},
                            {"status": "done", "count": 10},
                            {"status": "not_reported", "count": 12}]),
        fake_kpi("initiatives_action_needed", 12, target=0, status="missed", period=CURRENT_PERIOD),
        fake_kpi("results_overdue", 7, target=0, status="missed", period=AS_OF_TODAY),
    ],
    "disaster-fund": [
        fake_kpi("applications_completed_within_1y_pct", 92.3, unit="percent", target=90,
                 direction="higher_is_better", period=AS_OF_TODAY,
                 breakdown=[{"disaster_id": "7d1f0c1e-5d0e-4c59-9a53-0a4c1a2b3c4d",
                             "reference": "VRF-2025-01", "on_time": 120, "submitted": 130,
                             "pct": 92.3, "one_year_mark_passed": True}]),
        fake_kpi("backlog_open_applications", 3, unit="count", target=0,
                 status="missed", period=AS_OF_TODAY,
                 breakdown=[{"age_band": "0-90", "open_applications": 120},
                            {"age_band": "91-180", "open_applications": 45},
                            {"age_band": "181-365", "open_applications": 20},
                            {"age_band": ">365", "open_applications": 3}]),
        fake_kpi("applications_at_risk", 14, unit="count", target=0, status="missed",
                 period=AS_OF_TODAY),
    ],
    "export-control": [
        fake_kpi("decided_within_indicative_max_pct", 88.2, unit="percent", target=90,
                 direction="higher_is_better", status="at_risk", period=LAST_365_DAYS,
                 breakdown=[{"track": "fast", "value": 97.0, "decided": 60},
                            {"track": "standard", "value": 85.1, "decided": 101}]),
        fake_kpi("open_backlog", 42, unit="count", period=AS_OF_TODAY,
                 breakdown=[{"age_days": "0-29", "open": 20}, {"age_days": "30-59", "open": 12},
                            {"age_days": "60-89", "open": 6}, {"age_days": "90+", "open": 4}]),
        fake_kpi("overdue_transaction_reports", 2, unit="count", target=0, status="missed",
                 period=AS_OF_TODAY),
    ],
    "statistics": [
        fake_kpi("punctuality_rate_pct", 95.0, unit="percent", target=95,
                 direction="higher_is_better"),
        fake_kpi("releases_overdue", 1, unit="count", target=0, status="missed"),
    ],
}


def fake_release(number: int, target: str, *, state: str = "planned",
                 published_at: str | None = None) -> dict[str, Any]:
    """One item of statistics' `/v1/calendar` (`CalendarItem`)."""
    exact = len(target) == 10
    first = target if exact else f"{target}-01"
    return {
        "uid": f"release-{number}@vsp.example", "release_id": f"00000000-0000-0000-0000-{number:012d}",
        "statistic_code": f"VSP-{number:03d}", "statistic_title": f"Statistiek {number}",
        "entity_code": "STATBEL", "entity_name": "Statbel", "theme": "economie",
        "reference_period": "2026-Q3", "vintage": "first", "target": target,
        "date_precision": "day" if exact else "month", "exact_date": target if exact else None,
        "period_first": first, "period_last": target if exact else f"{target}-28",
        "release_time": "10:00:00",
        "scheduled_at": f"{target}T09:00:00Z" if exact else None, "state": state,
        "first_announced_target": target, "rescheduled": False, "published_at": published_at,
        "sequence": 0,
    }


CALENDAR_ITEMS = [
    fake_release(1, "2026-12-01", state="published", published_at="2026-12-01T09:00:00Z"),
    fake_release(2, "2026-12-03", state="approved"),
    fake_release(3, "2026-12-10"),
    fake_release(4, "2026-12"),
    fake_release(5, "2026-12-15", state="in_review"),
    fake_release(6, "2027-01-05"),
    fake_release(7, "2027-01-20"),
]
NORM_ALERT_TOTALS = {"at_risk": 9, "overdue": 4}


class FakeUpstream:
    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None
        self.clear()

    def clear(self) -> None:
        self.delay_s = 0.0
        self.status = 200
        self.drop_next = 0
        self.requests: list[dict[str, Any]] = []
        # Per path (without query): a different answer (status, JSON body) or an extra delay.
        self.answers: dict[str, tuple[int, Any]] = {}
        self.path_delay_s: dict[str, float] = {}
        self.answer_headers: dict[str, str] = {}  # extra headers of the default answer

    @property
    def hits(self) -> int:
        return len(self.requests)

    def kpis(self) -> list[dict[str, Any]]:
        return SERVICE_KPIS[self.name]

    def document(self, request: web.Request) -> Any:
        """The real service's answer shape for the paths the gateway reads, else None."""
        if request.path == "/v1/kpis":
            return self.kpis()
        if request.path == "/openapi.json":
            return fake_openapi(self.name)
        if request.path == "/readyz":
            return {"status": "ok"}
        if self.name == "disaster-fund" and request.path == "/v1/applications/norm-alerts":
            status = request.query.get("status", "overdue")
            return {"items": [], "total": NORM_ALERT_TOTALS.get(status, 0),
                    "limit": int(request.query.get("limit", 50)), "offset": 0}
        if self.name == "statistics" and request.path == "/v1/calendar":
            return {"from": request.query.get("from"), "to": request.query.get("to"),
                    "items": CALENDAR_ITEMS}
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append({"method": request.method, "path": request.path,
                              "raw_path": request.raw_path,
                              "query": request.query_string, "headers": dict(request.headers),
                              "body": body})
        if self.drop_next:
            self.drop_next -= 1
            request.transport.close()  # the client sees the connection die without an answer
            return web.Response()
        delay = self.delay_s + self.path_delay_s.get(request.path, 0.0)
        if delay:
            await asyncio.sleep(delay)
        if request.path in self.answers:
            status, answer = self.answers[request.path]
            return web.json_response(answer, status=status)
        document = self.document(request)
        if document is not None:
            return web.json_response(document, status=self.status)
        if request.path == "/v1/large":
            response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
            await response.prepare(request)
            for index in range(40):
                await response.write(bytes([index]) * 8192)
            await response.write_eof()
            return response
        return web.json_response(
            {"service": self.name, "method": request.method, "path": request.path,
             "query": request.query_string, "headers": dict(request.headers),
             "body_length": len(body)},
            status=self.status, headers={"X-Upstream": self.name, "Keep-Alive": "timeout=5",
                                         **self.answer_headers})

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port,
                           reuse_address=True)
        await site.start()
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


@pytest.fixture(scope="session")
async def upstreams():
    fakes = {name: FakeUpstream(name) for name in SERVICES}
    for fake in fakes.values():
        await fake.start()
    yield fakes
    for fake in fakes.values():
        await fake.stop()


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key, upstreams):
    urls = {f"upstream_{name.replace('-', '_')}": fake.url for name, fake in upstreams.items()}
    async with ServiceHarness.for_app(
        "gateway", pg_server_url, signing_key,
        upstream_connect_timeout_s=0.5, upstream_read_timeout_s=READ_TIMEOUT_S,
        upstream_pool_timeout_s=1.0, retry_attempts=2, retry_backoff_s=0.01,
        breaker_failure_threshold=BREAKER_THRESHOLD, breaker_cooldown_s=BREAKER_COOLDOWN_S,
        aggregate_budget_s=AGGREGATE_BUDGET_S, readyz_upstream_timeout_s=0.3,
        rate_limit_requests=100_000, **urls,
    ) as running:
        yield running


@pytest.fixture
async def client(harness, upstreams):
    """A clean slate: every upstream up and prompt, breakers closed, caches and limits reset."""
    await harness.reset()
    for fake in upstreams.values():
        fake.clear()
        if not fake.running:
            await fake.start()
    state = harness.app.state
    for upstream in state.upstreams.values():
        upstream.reset_breaker()
    state.openapi_cache.clear()
    state.rate_limiter = RateLimiter(MemoryCounters(), limit=100_000, window_s=60)
    return harness.client
