"""`/<service>/<path>`: forwarding, headers, edge token check, failures of the upstream."""

import asyncio
import time

import pytest


@pytest.fixture
def settings(harness):
    return harness.app.state.settings


async def test_request_is_forwarded_with_method_path_query_and_body(client, harness, upstreams):
    response = await client.post("/planning/v1/goals?year=2026&x=1", content=b'{"a": 1}',
                                 headers={**harness.headers("plan.editor"),
                                          "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["service"] == "planning"
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/v1/goals", "year=2026&x=1")
    assert seen["body_length"] == 8
    assert seen["headers"]["Content-Type"] == "application/json"
    assert response.headers["x-upstream"] == "planning"
    assert upstreams["disaster-fund"].hits == 0


async def test_headers_hop_by_hop_stripped_request_id_forwarded_authorization_passed(
        client, harness, upstreams):
    token = harness.headers("vrf.handler")
    response = await client.get("/disaster-fund/v1/applications", headers={
        **token, "X-Request-ID": "req-123", "Connection": "keep-alive, X-Secret-Hop",
        "X-Secret-Hop": "drop me", "TE": "trailers", "Proxy-Authorization": "Basic abc",
        "Forwarded": 'for="10.0.0.1"', "X-Kept": "yes"})
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-123"
    assert "keep-alive" not in response.headers  # the upstream's hop-by-hop answer header
    seen = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert seen["authorization"] == token["Authorization"]
    assert seen["x-request-id"] == "req-123"
    assert seen["x-kept"] == "yes"
    for hop in ("x-secret-hop", "te", "proxy-authorization"):
        assert hop not in seen
    assert seen["forwarded"].startswith('for="10.0.0.1", for="127.0.0.1";proto=http')
    assert 'host="testserver"' in seen["forwarded"]


async def test_request_id_is_generated_when_absent(client, harness):
    response = await client.get("/statistics/v1/statistics", headers=harness.headers("x"))
    generated = response.headers["x-request-id"]
    assert len(generated) == 32
    assert response.json()["headers"]["X-Request-ID"] == generated


async def test_bad_token_is_rejected_at_the_gateway(client, harness, upstreams):
    expired = harness.key.mint(sub="u", roles=["vrf.handler"], ttl_seconds=-3600)
    for authorization in ("Bearer not-a-jwt", f"Bearer {expired}", "Basic dXNlcjpwYXNz"):
        response = await client.get("/disaster-fund/v1/applications",
                                    headers={"Authorization": authorization})
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHENTICATED"
    assert upstreams["disaster-fund"].hits == 0


async def test_request_without_token_is_forwarded_for_the_service_to_decide(client, upstreams):
    response = await client.get("/statistics/v1/calendar.ics")
    assert response.status_code == 200
    assert "Authorization" not in response.json()["headers"]
    assert upstreams["statistics"].hits == 1


async def test_unknown_service_is_404(client):
    response = await client.get("/nope/v1/things")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


async def test_large_response_is_streamed_intact(client, harness):
    response = await client.get("/planning/v1/large", headers=harness.headers("x"))
    assert response.status_code == 200
    assert len(response.content) == 40 * 8192
    assert response.content[8192 * 39] == 39


async def test_large_request_body_is_streamed(client, harness):
    body = b"x" * 300_000
    response = await client.put("/planning/v1/upload", content=body,
                                headers=harness.headers("x"))
    assert response.json()["body_length"] == len(body)


async def test_upstream_errors_pass_through_as_answers(client, harness, upstreams):
    upstreams["planning"].status = 500
    response = await client.get("/planning/v1/goals", headers=harness.headers("x"))
    assert response.status_code == 500
    assert response.json()["service"] == "planning"


async def test_stopped_upstream_answers_502_quickly_naming_it(client, harness, upstreams):
    await upstreams["export-control"].stop()
    started = time.perf_counter()
    response = await client.get("/export-control/v1/licences", headers=harness.headers("x"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 502
    problem = response.json()
    assert problem["code"] == "UPSTREAM_UNAVAILABLE"
    assert problem["upstream"] == "export-control"
    assert response.headers["content-type"] == "application/problem+json"
    assert elapsed < 0.5


async def test_slow_upstream_answers_504_within_its_read_timeout(client, harness, upstreams,
                                                                 settings):
    upstreams["statistics"].delay_s = 3.0
    started = time.perf_counter()
    response = await client.get("/statistics/v1/releases", headers=harness.headers("x"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 504
    assert response.json()["code"] == "UPSTREAM_TIMEOUT"
    assert response.json()["upstream"] == "statistics"
    timeout = settings.upstream_read_timeout_s
    assert timeout * 0.9 <= elapsed < timeout + 0.3
    assert upstreams["statistics"].hits == 1  # a timeout is not retried


async def test_idempotent_request_is_retried_after_a_dropped_connection(client, harness,
                                                                        upstreams):
    upstreams["planning"].drop_next = 1
    response = await client.get("/planning/v1/goals", headers=harness.headers("x"))
    assert response.status_code == 200
    assert upstreams["planning"].hits == 2


async def test_post_is_not_retried_without_an_idempotency_key(client, harness, upstreams):
    upstreams["disaster-fund"].drop_next = 1
    response = await client.post("/disaster-fund/v1/applications", json={"a": 1},
                                 headers=harness.headers("x"))
    assert response.status_code == 502
    assert upstreams["disaster-fund"].hits == 1


async def test_post_with_idempotency_key_is_retried(client, harness, upstreams):
    upstreams["disaster-fund"].drop_next = 1
    response = await client.post("/disaster-fund/v1/applications", json={"a": 1},
                                 headers={**harness.headers("x"), "Idempotency-Key": "k-1"})
    assert response.status_code == 200
    assert upstreams["disaster-fund"].hits == 2
    assert response.json()["body_length"] == len(b'{"a":1}')


async def test_retries_are_bounded(client, harness, upstreams):
    upstreams["planning"].drop_next = 10
    response = await client.get("/planning/v1/goals", headers=harness.headers("x"))
    assert response.status_code == 502
    assert upstreams["planning"].hits == 3  # first attempt + GATEWAY_RETRY_ATTEMPTS (2)


async def test_breaker_opens_after_repeated_failures_and_recovers(client, harness, upstreams,
                                                                  settings):
    headers = harness.headers("x")
    fake = upstreams["planning"]
    await fake.stop()
    for _ in range(settings.breaker_failure_threshold):
        assert (await client.get("/planning/v1/goals", headers=headers)).status_code == 502

    await fake.start()  # back, but the circuit is open: the gateway does not even try
    started = time.perf_counter()
    response = await client.get("/planning/v1/goals", headers=headers)
    assert response.status_code == 502
    assert response.json()["code"] == "UPSTREAM_CIRCUIT_OPEN"
    assert response.json()["upstream"] == "planning"
    assert int(response.headers["retry-after"]) >= 1
    assert time.perf_counter() - started < 0.1
    assert fake.hits == 0
    metrics = (await client.get("/metrics")).text
    assert 'gateway_upstream_breaker_state{upstream="planning"} 2.0' in metrics
    # Other upstreams are not affected.
    assert (await client.get("/statistics/v1/x", headers=headers)).status_code == 200

    # The cool-down passes: one probe goes through and closes the circuit.
    await asyncio.sleep(settings.breaker_cooldown_s)
    response = await client.get("/planning/v1/goals", headers=headers)
    assert response.status_code == 200
    assert fake.hits == 1
    assert harness.app.state.upstreams["planning"].breaker.state == "closed"
    assert (await client.get("/planning/v1/goals", headers=headers)).status_code == 200


async def test_failed_probe_reopens_the_circuit(client, harness, upstreams, settings):
    headers = harness.headers("x")
    await upstreams["statistics"].stop()
    for _ in range(settings.breaker_failure_threshold):
        await client.get("/statistics/v1/x", headers=headers)
    await asyncio.sleep(settings.breaker_cooldown_s)
    assert (await client.get("/statistics/v1/x", headers=headers)).status_code == 502  # probe
    response = await client.get("/statistics/v1/x", headers=headers)
    assert response.json()["code"] == "UPSTREAM_CIRCUIT_OPEN"


async def test_upstream_gateway_errors_count_as_failures(client, harness, upstreams, settings):
    upstreams["export-control"].status = 503
    headers = harness.headers("x")
    for _ in range(settings.breaker_failure_threshold):
        response = await client.get("/export-control/v1/x", headers=headers)
        assert response.status_code == 503 and response.json()["service"] == "export-control"
    response = await client.get("/export-control/v1/x", headers=headers)
    assert response.json()["code"] == "UPSTREAM_CIRCUIT_OPEN"


@pytest.mark.parametrize("path", [
    "/planning/metrics", "/planning/docs",
    "/planning/openapi.json", "/statistics/redoc", "/export-control/v2/x",
    "/disaster-fund/", "/disaster-fund/v1x/applications",
])
async def test_only_the_services_v1_api_is_published(client, harness, upstreams, path):
    """Metrics and docs of a service are for operators (reached directly); the gateway
    serves the merged docs itself. (The probes `livez`/`readyz` stay reachable, outside the
    breaker: see test_breaker_upstream.)"""
    response = await client.get(path, headers=harness.headers("x"))
    assert response.status_code == 404, (path, response.status_code)
    assert response.headers["content-type"] == "application/problem+json"
    assert all(fake.hits == 0 for fake in upstreams.values())
    # The gateway's own documents stay.
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/docs")).status_code == 200


async def test_hop_by_hop_response_headers_are_stripped_with_those_connection_names(
        client, harness, upstreams):
    upstreams["planning"].answer_headers = {
        "Connection": "X-Internal-Hop, Keep-Alive", "X-Internal-Hop": "secret",
        "Keep-Alive": "timeout=5", "Proxy-Authenticate": "Basic", "Trailer": "X-T",
        "Upgrade": "h2c", "X-Kept": "yes"}
    response = await client.get("/planning/v1/goals", headers=harness.headers("x"))
    assert response.status_code == 200
    for hop in ("x-internal-hop", "keep-alive", "proxy-authenticate", "trailer", "upgrade"):
        assert hop not in response.headers, hop
    assert "connection" not in response.headers
    assert response.headers["x-kept"] == "yes"


async def test_path_and_query_are_passed_on_as_encoded(client, harness, upstreams):
    response = await client.get("/planning/v1/goals/a%2Fb/%2E%2E/x?q=a%20b&r=%2F",
                                headers=harness.headers("x"))
    assert response.status_code == 200
    # Byte for byte: the encoded slash and dots are not decoded into path separators.
    assert upstreams["planning"].requests[-1]["raw_path"] == \
        "/v1/goals/a%2Fb/%2E%2E/x?q=a%20b&r=%2F"
