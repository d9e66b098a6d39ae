"""Tracing (issue 11): one request through the gateway is one trace, continuing the caller's
W3C `traceparent`, with spans of the gateway, the service and its SQL; log lines carry the
service and the trace id; off by default."""

import asyncio
import json
import logging

from opentelemetry.trace import SpanKind

from dkbuza_kit.apps import app_named
from dkbuza_kit.logs import configure_logging

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def finished_spans(spans, condition, within_s: float = 5.0):
    """The finished spans once `condition(spans)` holds (the last spans end after the answer)."""
    for _ in range(int(within_s / 0.02)):
        found = spans.get_finished_spans()
        if condition(found):
            return found
        await asyncio.sleep(0.02)
    return spans.get_finished_spans()


def server_span(found, app: str):
    return next(span for span in found if span.kind == SpanKind.SERVER
                and span.attributes.get("dkbuza.app") == app)


async def test_one_request_through_the_gateway_is_one_trace(stack, spans, capsys):
    headers = {**stack.gateway.headers("vrf.handler"), "traceparent": TRACEPARENT}
    response = await stack.gateway.client.get("/disaster-fund/v1/disasters", headers=headers)
    assert response.status_code == 200, response.text

    def complete(found):
        apps = {span.attributes.get("dkbuza.app") for span in found}
        return {"gateway", "disaster-fund"} <= apps and any(
            span.attributes.get("db.system") == "postgresql" for span in found)

    found = await finished_spans(spans, complete)
    assert complete(found), [span.name for span in found]
    assert {format(span.context.trace_id, "032x") for span in found} == {TRACE_ID}
    gateway, service = server_span(found, "gateway"), server_span(found, "disaster-fund")
    assert format(gateway.parent.span_id, "016x") == "00f067aa0ba902b7"  # the caller's span
    # The service's span hangs under the gateway's client call, which hangs under the gateway.
    client = next(span for span in found if span.context.span_id == service.parent.span_id)
    assert client.kind == SpanKind.CLIENT
    assert any(span.context.span_id == client.parent.span_id for span in found)
    by_id = {span.context.span_id: span for span in found}

    def ancestors(span):
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            yield span

    sql = [span for span in found if span.attributes.get("db.system") == "postgresql"]
    assert all(service in ancestors(span) for span in sql)  # the service's own statements


async def test_traced_log_lines_carry_the_service_and_trace_id(stack, spans, capsys):
    capsys.readouterr()
    configure_logging("INFO", True)
    try:
        headers = {**stack.gateway.headers("vrf.handler"), "traceparent": TRACEPARENT}
        await stack.gateway.client.get("/disaster-fund/v1/disasters", headers=headers)
        await finished_spans(spans, lambda found: len(
            {span.attributes.get("dkbuza.app") for span in found} - {None}) >= 2)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
                 if line.startswith("{")]
    finally:
        configure_logging("WARNING", True)
    access = {line["service"]: line for line in lines if line.get("event") == "request"}
    assert {"gateway", "disaster-fund"} <= set(access)
    for line in access.values():
        assert line["trace_id"] == TRACE_ID and line["request_id"]
    # One request id end to end: the gateway passes its id on.
    assert access["gateway"]["request_id"] == access["disaster-fund"]["request_id"]


def test_uvicorn_lines_are_json_with_the_service(capsys):
    configure_logging("INFO", True, service="planning")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "Started server process [42]"
    assert line["service"] == "planning" and line["level"] == "info"


def test_tracing_is_off_by_default():
    loaded = app_named("planning").load()
    app = loaded.create_app(loaded.settings_cls(database_url="postgresql+asyncpg://x@l/n"))
    assert app.state.tracer_provider is None
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


def test_otlp_exporter_only_when_an_endpoint_is_configured():
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from dkbuza_kit.tracing import provider_for

    assert provider_for("statistics", None) is None
    provider = provider_for("statistics", "http://otel-collector:4318/")
    assert provider.resource.attributes["service.name"] == "statistics"
    exporters = [processor.span_exporter
                 for processor in provider._active_span_processor._span_processors]
    assert [type(exporter) for exporter in exporters] == [OTLPSpanExporter]
    assert exporters[0]._endpoint == "http://otel-collector:4318/v1/traces"
    provider.shutdown()
