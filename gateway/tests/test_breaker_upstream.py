"""What feeds an upstream's circuit breaker, through the proxy and the aggregates.

Connection failures and the upstream's own 502/503 open it; the gateway's own 504s (the
upstream is slow) and an aggregate's spent budget do not; the upstream's health routes
neither consult nor feed it; its state is a Prometheus gauge per upstream.
"""

import asyncio

import pytest


@pytest.fixture
def settings(harness):
    return harness.app.state.settings


def breaker_of(harness, name: str):
    return harness.app.state.upstreams[name].breaker


async def open_circuit(client, harness, fake, settings) -> None:
    """Stop `fake` and fail its routes until the circuit is open."""
    await fake.stop()
    for _ in range(settings.breaker_failure_threshold):
        assert (await client.get(f"/{fake.name}/v1/goals",
                                 headers=harness.headers("x"))).status_code == 502
    assert breaker_of(harness, fake.name).state == "open"


async def test_slow_answers_504_but_never_open_the_circuit(client, harness, upstreams,
                                                           settings):
    fake = upstreams["statistics"]
    fake.path_delay_s["/v1/slow"] = settings.upstream_read_timeout_s * 3
    headers = harness.headers("x")
    for _ in range(settings.breaker_failure_threshold + 2):
        response = await client.get("/statistics/v1/slow", headers=headers)
        assert response.status_code == 504
        assert response.json()["code"] == "UPSTREAM_TIMEOUT"
    assert breaker_of(harness, "statistics").state == "closed"
    # Its other routes are still forwarded.
    response = await client.get("/statistics/v1/entities", headers=headers)
    assert response.status_code == 200
    assert response.json()["path"] == "/v1/entities"


async def test_upstream_504_is_slow_and_502_is_a_failure(client, harness, upstreams, settings):
    headers = harness.headers("x")
    fake = upstreams["planning"]
    fake.status = 504
    for _ in range(settings.breaker_failure_threshold + 1):
        assert (await client.get("/planning/v1/x", headers=headers)).status_code == 504
    assert breaker_of(harness, "planning").state == "closed"
    fake.status = 502
    for _ in range(settings.breaker_failure_threshold):
        assert (await client.get("/planning/v1/x", headers=headers)).status_code == 502
    response = await client.get("/planning/v1/x", headers=headers)
    assert response.json()["code"] == "UPSTREAM_CIRCUIT_OPEN"


async def test_health_routes_bypass_an_open_circuit(client, harness, upstreams, settings):
    fake = upstreams["planning"]
    await open_circuit(client, harness, fake, settings)
    await fake.start()
    hits = fake.hits
    probes = ("/planning/livez", "/planning/readyz")
    for path in probes:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
    assert fake.hits == hits + len(probes)
    # ... while the service's own routes are still refused until a probe goes through.
    refused = await client.get("/planning/v1/goals", headers=harness.headers("x"))
    assert refused.json()["code"] == "UPSTREAM_CIRCUIT_OPEN"
    assert breaker_of(harness, "planning").state == "open"


async def test_failing_health_routes_do_not_open_the_circuit(client, harness, upstreams,
                                                             settings):
    await upstreams["export-control"].stop()
    for _ in range(settings.breaker_failure_threshold + 1):
        response = await client.get("/export-control/readyz")
        assert response.status_code == 502
        assert response.json()["code"] == "UPSTREAM_UNAVAILABLE"
    assert breaker_of(harness, "export-control").state == "closed"


async def test_one_probe_after_the_interval_closes_and_the_gauge_follows(
        client, harness, upstreams, settings):
    fake = upstreams["disaster-fund"]
    await open_circuit(client, harness, fake, settings)
    metrics = (await client.get("/metrics")).text
    assert 'gateway_upstream_breaker_state{upstream="disaster-fund"} 2.0' in metrics
    await fake.start()
    await asyncio.sleep(settings.breaker_cooldown_s * 1.2)
    response = await client.get("/disaster-fund/v1/goals", headers=harness.headers("x"))
    assert response.status_code == 200
    assert fake.hits == 1  # the probe, a real request
    metrics = (await client.get("/metrics")).text
    assert 'gateway_upstream_breaker_state{upstream="disaster-fund"} 0.0' in metrics


async def test_a_spent_aggregate_budget_is_not_a_failure(client, harness, upstreams, settings):
    upstreams["planning"].delay_s = settings.aggregate_budget_s * 3
    for _ in range(settings.breaker_failure_threshold + 1):
        body = (await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))).json()
        assert body["sources"]["planning"]["status"] == "timeout"
    assert breaker_of(harness, "planning").state == "closed"


def test_default_probe_interval_is_short_and_probes_outlive_the_upstream_timeouts():
    from gateway.main import build_upstreams
    from gateway.settings import GatewaySettings

    settings = GatewaySettings(upstream_timeouts={"statistics": {"read_s": 30}})
    breakers = {name: upstream.breaker for name, upstream in build_upstreams(settings).items()}
    # A 5 s outage must not become 10 s of refusals: one probe every half second.
    assert all(breaker.cooldown_s <= 0.5 for breaker in breakers.values())
    assert breakers["planning"].probe_timeout_s == 1.0 + 10.0 + 2.0
    assert breakers["statistics"].probe_timeout_s == 1.0 + 30.0 + 2.0
