"""The app factory: every DKBUZA app is built here, so all five behave the same at the edges."""

import gc
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from dkbuza_kit.auth import JwksProvider
from dkbuza_kit.auth import TokenVerifier
from dkbuza_kit.auth import authenticate
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker
from dkbuza_kit.documents.storage import storage_from_settings
from dkbuza_kit.header_limits import HeaderLimitMiddleware
from dkbuza_kit.kpi_history import KpiCollector
from dkbuza_kit.kpi_history import kpi_router
from dkbuza_kit.kpis import KpiProvider
from dkbuza_kit.logs import configure_logging
from dkbuza_kit.metrics import KPI_COLLECTORS
from dkbuza_kit.metrics import render
from dkbuza_kit.middleware import BodySizeLimitMiddleware
from dkbuza_kit.middleware import RequestContextMiddleware
from dkbuza_kit.migrations import head_revision
from dkbuza_kit.openapi import install as install_openapi
from dkbuza_kit.probes import ReadinessProbe
from dkbuza_kit.problems import install_problem_handlers
from dkbuza_kit.problems import problem_response
from dkbuza_kit.query import accepts_any_query
from dkbuza_kit.query import reject_unknown_query_parameters
from dkbuza_kit.settings import AppSettings
from dkbuza_kit.settings import ServiceSettings
from dkbuza_kit.shedding import ExportSlots
from dkbuza_kit.shedding import InFlightLimitMiddleware
from dkbuza_kit.shedding import install_overload_handlers
from dkbuza_kit.timeouts import EXPORT
from dkbuza_kit.timeouts import OTHER
from dkbuza_kit.timeouts import READ
from dkbuza_kit.timeouts import WRITE
from dkbuza_kit.tracing import instrument_app
from dkbuza_kit.tracing import instrument_engine
from dkbuza_kit.webhooks import TargetPolicy
from dkbuza_kit.webhooks import webhook_router

Hook = Callable[[FastAPI], Awaitable[None]]


def operation_id(route: APIRoute) -> str:
    """Stable operationIds `<tag>-<name>`: renaming a Python function must not rename the API."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name.replace('_', '-')}"


# The kit owns tracing (`dkbuza_kit.tracing`, when configured) and metrics (Prometheus), so
# FastAPI's own OpenTelemetry stays off: no second server span per request under a global SDK
# provider, and no request looks the global providers up (three environment reads each).
NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    settings: AppSettings,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    public_routers: Sequence[APIRouter] = (),
    kpi_provider: KpiProvider | None = None,
    kpi_reader_roles: tuple[str, ...] = (),
    webhook_events: Sequence[str] = (),
    webhook_roles: Sequence[str] = (),
    webhook_all_orgs_roles: Sequence[str] = (),
    webhook_event_roles: Mapping[str, Collection[str]] | None = None,
    alembic_ini: Path | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    version: str = "1.0.0",
) -> FastAPI:
    """Build an app: `routers` require a valid token, `public_routers` do not.

    With `ServiceSettings` the app has a database (engine, sessions, documents, readiness at
    the migrations' head); with `AppSettings` none (the gateway): no engine, no session, a
    `/readyz` of the process only. KPIs and webhooks need the database.

    `webhook_events` (the domain event types the service emits to its outbox) mounts
    `/v1/webhook-subscriptions` for callers holding one of `webhook_roles`; holders of
    `webhook_all_orgs_roles` (and the department) receive every organisation's events.
    `webhook_event_roles` (event type -> roles) says which roles may receive each type, so a
    role that sees all organisations gets only the types it may read (default: every
    webhook role, every type).
    """
    if not isinstance(settings, ServiceSettings) and (
            kpi_provider is not None or webhook_events or alembic_ini):
        raise ValueError("KPIs, webhooks and migrations need ServiceSettings (a database)")
    configure_logging(settings.log_level, settings.log_json, service=settings.service_name)
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=_lifespan(settings, kpi_provider, on_startup, on_shutdown),
        generate_unique_id_function=operation_id,
        dependencies=[Depends(reject_unknown_query_parameters)],
        telemetry=NATIVE_TELEMETRY_OFF,
    )
    _set_state(app, settings, alembic_ini)
    install_problem_handlers(app)
    install_openapi(app)
    install_overload_handlers(app, settings.service_name)
    app.include_router(health_router())
    protected = [*routers, *_kit_routers(kpi_provider, kpi_reader_roles, webhook_events,
                                         webhook_roles, webhook_all_orgs_roles,
                                         webhook_event_roles)]
    for router in protected:
        app.include_router(router, dependencies=[Depends(authenticate)])
    for router in public_routers:
        app.include_router(router)
    _add_middleware(app, settings)
    instrument_app(app, settings.service_name, settings.otlp_endpoint)
    return app


def _kit_routers(kpi_provider: KpiProvider | None, kpi_reader_roles: tuple[str, ...],
                 webhook_events: Sequence[str], webhook_roles: Sequence[str],
                 webhook_all_orgs_roles: Sequence[str],
                 webhook_event_roles: Mapping[str, Collection[str]] | None) -> list[APIRouter]:
    """The kit's own protected routers the app asked for: `/v1/kpis`, webhook subscriptions."""
    kit = []
    if kpi_provider is not None:
        kit.append(kpi_router(kpi_provider, reader_roles=kpi_reader_roles))
    if webhook_events:
        kit.append(webhook_router(event_types=webhook_events, roles=webhook_roles,
                                  all_orgs_roles=webhook_all_orgs_roles,
                                  event_roles=webhook_event_roles))
    return kit


async def app_settings(request: Request) -> AppSettings:
    """The app's settings, as a dependency: a service types it with its own settings class,
    `Annotated[MySettings, Depends(app_settings)]`."""
    return request.app.state.settings


def _set_state(app: FastAPI, settings: AppSettings, alembic_ini: Path | None) -> None:
    """What the app holds from its creation (tests may replace any of it before startup)."""
    app.state.settings = settings
    app.state.clock = SystemClock()
    app.state.webhook_targets = TargetPolicy(
        allow_loopback_http=settings.webhook_allow_loopback_http)
    app.state.token_verifier = TokenVerifier(
        JwksProvider(path=settings.jwks_path, url=settings.jwks_url,
                     cache_seconds=settings.jwks_cache_seconds),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
    )
    app.state.head_revision = head_revision(alembic_ini) if alembic_ini else None
    if isinstance(settings, ServiceSettings):
        app.state.document_storage = storage_from_settings(settings)
    app.state.export_slots = ExportSlots(settings.export_concurrency, settings.export_wait_s)
    # Without a database: no engine, no sessions, readiness of the process only.
    app.state.readiness = None
    app.state.kpi_collector = None


def _lifespan(settings: AppSettings, kpi_provider: KpiProvider | None,
              on_startup: Sequence[Hook], on_shutdown: Sequence[Hook]):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = _open_database(app, settings) if isinstance(settings, ServiceSettings) else None
        collector = None
        if kpi_provider is not None:
            collector = KpiCollector(settings.service_name, kpi_provider, app.state.sessionmaker,
                                     lambda: app.state.clock,
                                     max_age=settings.kpi_gauge_cache_seconds)
            KPI_COLLECTORS.add(collector)
        app.state.kpi_collector = collector
        for hook in on_startup:
            await hook(app)
        if settings.gc_freeze_after_startup:
            freeze_startup_heap()
        try:
            yield
        finally:
            for hook in on_shutdown:
                await hook(app)
            if collector is not None:
                KPI_COLLECTORS.remove(collector)
            if app.state.readiness is not None:
                await app.state.readiness.close()  # its own connection, outside the pool
            if engine is not None:
                await engine.dispose()

    return lifespan


def freeze_startup_heap() -> None:
    """Move every object alive after the first app's startup to the collector's permanent
    generation (`gc.freeze`): they live as long as the process, and a full collection no longer
    walks them on some request (14 % of a small GET's CPU in the A/B of `bench/README.md`). Once per
    process: a test process starting many apps does not pin each one's objects."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def _open_database(app: FastAPI, settings: ServiceSettings) -> AsyncEngine:
    """The engine, its sessionmaker and the readiness probe on `app.state`."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Reads, the most frequent class, need no SET LOCAL (see dkbuza_kit.timeouts).
        statement_timeout_ms=settings.db_statement_timeout_read_ms,
        pool_timeout_s=settings.db_pool_timeout_s,
        ping_after_idle_s=settings.db_ping_after_idle_s,
    )
    app.state.engine = engine
    instrument_engine(app, engine)
    app.state.sessionmaker = create_sessionmaker(
        engine, statement_timeouts_ms=statement_timeouts(settings),
        connection_timeout_ms=settings.db_statement_timeout_read_ms)
    app.state.readiness = ReadinessProbe(engine.url, app.state.head_revision,
                                         settings.readyz_timeout_s)
    return engine


def _add_middleware(app: FastAPI, settings: AppSettings) -> None:
    """Outermost last: request context, in-flight limit, header limit, CORS, body limit."""
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes,
                       upload_max_bytes=settings.documents_max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID", "Location"],
        )
    app.add_middleware(HeaderLimitMiddleware, max_bytes=settings.max_header_bytes,
                       max_count=settings.max_header_count)
    # Inside the request context (refusals are logged and counted with their request id).
    app.add_middleware(InFlightLimitMiddleware, service=settings.service_name,
                       limit=settings.max_in_flight)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)


def statement_timeouts(settings: ServiceSettings) -> dict[str, int]:
    return {READ: settings.db_statement_timeout_read_ms,
            WRITE: settings.db_statement_timeout_write_ms,
            EXPORT: settings.db_statement_timeout_export_ms,
            OTHER: settings.db_statement_timeout_ms}


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    # Probes and scrapes answer whatever query an orchestrator or scraper adds.
    @router.get("/livez", name="livez")
    @accepts_any_query
    async def livez() -> dict[str, str]:
        """The process is up (no dependency checked)."""
        return {"status": "ok"}

    @router.get("/readyz", name="readyz", responses={503: {"description": (
                "Not ready: `DATABASE_UNAVAILABLE` or `MIGRATIONS_PENDING`")}},
                response_model=None)
    @accepts_any_query
    async def readyz(request: Request) -> Response:
        """The database answers (on a connection of its own, within `READYZ_TIMEOUT_S`) and
        its schema is at the migrations' head; an app without a database is ready when its
        process answers (`"database": "none"`)."""
        if request.app.state.readiness is None:
            return JSONResponse({"status": "ok", "database": "none", "checked": "process"})
        readiness = await request.app.state.readiness.check()
        if not readiness.ready:
            return problem_response(503, readiness.code, readiness.detail,
                                    headers={"Retry-After": "1"})
        return JSONResponse({"status": "ok", "database": "ok", "revision": readiness.revision})

    @router.get("/metrics", name="metrics", response_class=Response,
                responses={200: {"content": {"text/plain": {}}}})
    @accepts_any_query
    async def metrics(request: Request) -> Response:
        collector = getattr(request.app.state, "kpi_collector", None)
        if collector is not None:
            await collector.refresh()
        body, content_type = render()
        return Response(body, media_type=content_type)

    return router
