"""The gateway app: `uvicorn --factory gateway.main:create_app`.

The proxy route comes first: it only matches paths whose first segment is a configured
service, so the gateway's own endpoints (`/v1/...`, `/docs`, health) are never shadowed.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from gateway import dashboard
from gateway import health
from gateway import openapi
from gateway.aggregate import router as aggregate_router
from gateway.breaker import CircuitBreaker
from gateway.clients import parse_networks
from gateway.openapi import OpenApiCache
from gateway.proxy import ProxyRoute
from gateway.ratelimit import build_rate_limiter
from gateway.settings import GatewaySettings
from gateway.tracing import client_trace_configs
from gateway.upstream import Upstream


def build_upstreams(settings: GatewaySettings,
                    trace_configs: Sequence[Any] = ()) -> dict[str, Upstream]:
    upstreams = {}
    for name, url in settings.upstreams().items():
        connect, read, pool = settings.timeouts_for(name)
        upstreams[name] = Upstream(
            name, url, connect_timeout=connect, read_timeout=read, pool_timeout=pool,
            pool_size=settings.upstream_pool_size,
            breaker=CircuitBreaker(settings.breaker_failure_threshold,
                                   settings.breaker_cooldown_s,
                                   probe_timeout_s=connect + read + pool),
            retry_attempts=settings.retry_attempts, retry_backoff_s=settings.retry_backoff_s,
            trace_configs=trace_configs,
        )
    return upstreams


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def open_clients(app: FastAPI) -> None:
        app.state.upstreams = build_upstreams(
            settings, client_trace_configs(app.state.tracer_provider))
        app.state.rate_limiter = build_rate_limiter(
            settings.redis_url, settings.rate_limit_requests, settings.rate_limit_window_s)
        app.state.openapi_cache = OpenApiCache()

    async def close_clients(app: FastAPI) -> None:
        for upstream in app.state.upstreams.values():
            await upstream.close()
        if app.state.rate_limiter is not None:
            await app.state.rate_limiter.close()

    app = build_app(
        settings,
        title="DKBUZA API gateway",
        description=(
            "Routes `/<service>/...` to the services (planning, disaster-fund, export-control, "
            "statistics) and aggregates across them. `/openapi.json` merges the services' "
            "documents under their prefixes."
        ),
        # Its routes authenticate themselves (EdgePrincipal), so that a refused token is
        # counted by the rate limiter like on the proxied routes.
        public_routers=[aggregate_router],
        on_startup=[open_clients],
        on_shutdown=[close_clients],
    )
    # The merged document replaces FastAPI's own at the same URL (so `/docs` shows it).
    app.router.routes[:] = [route for route in app.router.routes
                            if getattr(route, "path", None) != "/openapi.json"]
    app.include_router(openapi.router)
    health.replace_readyz(app)
    dashboard.mount(app, settings)
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.router.routes.insert(0, ProxyRoute(settings.upstreams()))
    return app
