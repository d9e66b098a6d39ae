"""OpenTelemetry tracing: W3C `traceparent` read on the way in and sent on the way out, spans of
FastAPI (server) and SQLAlchemy/asyncpg (every statement); the gateway adds its aiohttp client
(`gateway.tracing`).

Off by default and then free: nothing is instrumented, no middleware or event hook is added.
It is on when `<PREFIX>_OTLP_ENDPOINT` is set (spans batched to `<endpoint>/v1/traces` over
OTLP/HTTP, resource `service.name` = the app's name), or when the host process installed an
SDK tracer provider itself (`opentelemetry-instrument`, or a test's in-memory exporter through
`use_provider`). Every server span carries `dkbuza.app`, so apps sharing one provider (tests)
stay distinguishable.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import metrics
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

APP_ATTRIBUTE = "dkbuza.app"
UNTRACED_PATHS = "livez,readyz,metrics"  # probes and scrapes would drown the real traffic
_override: TracerProvider | None = None
_owned: dict[str, TracerProvider] = {}


@contextmanager
def use_provider(provider: TracerProvider) -> Iterator[None]:
    """Apps created inside this block trace into `provider` (tests: an in-memory exporter)."""
    global _override
    previous, _override = _override, provider
    try:
        yield
    finally:
        _override = previous


def provider_for(service_name: str, otlp_endpoint: str | None) -> TracerProvider | None:
    """The tracer provider an app should use, or None when tracing is off."""
    if _override is not None:
        return _override
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    if not otlp_endpoint:
        return None
    if service_name not in _owned:
        # Imported only when configured: the exporter pulls in protobuf and requests.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")))
        _owned[service_name] = provider
    return _owned[service_name]


def instrument_app(app: FastAPI, service_name: str, otlp_endpoint: str | None) -> None:
    """Trace `app`'s requests when tracing is on; remembers the provider for its engine."""
    provider = provider_for(service_name, otlp_endpoint)
    app.state.tracer_provider = provider
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    def tag(span: Any, _scope: dict[str, Any]) -> None:
        if span is not None and span.is_recording():
            span.set_attribute(APP_ATTRIBUTE, service_name)

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider,
                                       excluded_urls=UNTRACED_PATHS,
                                       server_request_hook=tag)


def instrument_engine(app: FastAPI, engine: AsyncEngine) -> None:
    """A span per SQL statement of `engine` (of this engine only, so apps sharing a process
    each get their own; the instrumentor's global switch would cover only the first)."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__

    tracer = provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", __version__)
    # The pool-usage counter it also keeps goes to the global meter (a no-op unless set up).
    usage = metrics.get_meter("opentelemetry.instrumentation.sqlalchemy").create_up_down_counter(
        "db.client.connections.usage", unit="connections")
    app.state.engine_tracer = EngineTracer(tracer, engine.sync_engine, usage)
