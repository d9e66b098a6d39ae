"""The whole system in this process: four services over real HTTP and the gateway before them,
tracing into an in-memory exporter (so one request's spans can be inspected)."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dkbuza_dev.testing.stack import system_stack

SPANS = InMemorySpanExporter()


@pytest.fixture(scope="session")
async def stack(pg_server_url, signing_key):
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SPANS))
    async with system_stack(pg_server_url, signing_key, tracer_provider=provider,
                            aggregate_budget_s=10.0) as running:
        yield running


@pytest.fixture
def spans(stack):
    SPANS.clear()
    return SPANS
