"""The platform contract of the gateway: health (with upstream states) and metrics (no
database, so no migrations)."""

from dkbuza_dev.testing.contract import test_health_and_metrics  # noqa: F401 (collected as tests here)


async def test_readyz_reports_each_upstream_without_requiring_them(client, upstreams):
    ready = (await client.get("/readyz")).json()
    assert ready["database"] == "none"
    assert set(ready["upstreams"]) == set(upstreams)
    assert all(state["status"] == "ok" and state["breaker"] == "closed"
               for state in ready["upstreams"].values())

    await upstreams["statistics"].stop()
    response = await client.get("/readyz")
    assert response.status_code == 200  # the gateway itself is ready
    states = response.json()["upstreams"]
    assert states["statistics"]["status"] == "error"
    assert states["planning"]["status"] == "ok"


async def test_metrics_carry_upstream_latency_and_breaker_state(client, harness):
    await client.get("/planning/v1/things", headers=harness.headers("any"))
    text = (await client.get("/metrics")).text
    assert 'gateway_upstream_request_duration_seconds_bucket{le="0.005",outcome="200",' \
           'upstream="planning"}' in text or \
           'gateway_upstream_request_duration_seconds_count{outcome="200",upstream="planning"}' \
           in text
    assert 'gateway_upstream_breaker_state{upstream="planning"} 0.0' in text
