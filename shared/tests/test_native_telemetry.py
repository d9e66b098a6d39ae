"""The kit owns tracing and metrics: FastAPI's native OpenTelemetry stays off in every app, so a
global SDK provider gets no second server span and no request looks the providers up."""

import pytest
from opentelemetry import metrics
from opentelemetry import trace


@pytest.mark.parametrize("path", ["/livez", "/v1/widgets"])
async def test_a_request_does_not_consult_the_global_telemetry_providers(client, harness,
                                                                        monkeypatch, path):
    looked_up: list[str] = []

    def counting(name, original):
        def lookup():
            looked_up.append(name)
            return original()
        return lookup

    monkeypatch.setattr(trace, "get_tracer_provider",
                        counting("tracer", trace.get_tracer_provider))
    monkeypatch.setattr(metrics, "get_meter_provider",
                        counting("meter", metrics.get_meter_provider))
    response = await client.get(path, headers=harness.headers("kit.reader"))
    assert response.status_code == 200
    assert looked_up == []
