"""Client spans of the gateway's calls to the services, which also carry `traceparent` (W3C)
to them: the service's spans join the caller's trace. Off (no trace config) when the app does
not trace (`dkbuza_kit.tracing`); the incoming `traceparent` is then forwarded as it came."""

from typing import Any

from opentelemetry.sdk.trace import TracerProvider


def client_trace_configs(provider: TracerProvider | None) -> list[Any]:
    if provider is None:
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config(tracer_provider=provider)]
