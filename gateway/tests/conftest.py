"""The gateway in-process against its own database, in front of four real HTTP upstreams.

The upstreams are small aiohttp servers on 127.0.0.1 that each test can make slow,
failing, dropping connections or stopped (their port is kept, so a stopped upstream refuses
connections exactly like a dead service).
"""

import asyncio
import importlib
import socket
import sys
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

from dkbuza_kit.testing import ServiceHarness  # noqa: E402 (after the un-shadowing above)
from gateway.ratelimit import MemoryCounters, RateLimiter  # noqa: E402 (after the un-shadowing above)

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

    @property
    def hits(self) -> int:
        return len(self.requests)

    def kpis(self) -> list[dict[str, Any]]:
        ident = self.name.replace("-", "_")
        return [
            {"id": f"{ident}_on_time_pct", "title_nl": "Tijdig", "title_en": "On time",
             "unit": "%", "value": 91.0, "target": 90.0, "direction": "higher_is_better",
             "status": "met", "period": "2026", "computed_at": "2026-11-28T10:00:00Z"},
            {"id": f"{ident}_backlog", "title_nl": "Achterstand", "title_en": "Backlog",
             "unit": "count", "value": 12.0, "target": 10.0, "direction": "lower_is_better",
             "status": "at_risk", "period": "2026", "computed_at": "2026-11-28T10:00:00Z"},
        ]

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
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if request.path == "/v1/kpis":
            return web.json_response(self.kpis(), status=self.status)
        if request.path == "/openapi.json":
            return web.json_response(fake_openapi(self.name), status=self.status)
        if request.path == "/readyz":
            return web.json_response({"status": "ok"}, status=self.status)
        if request.path == "/large":
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
            status=self.status, headers={"X-Upstream": self.name, "Keep-Alive": "timeout=5"})

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
