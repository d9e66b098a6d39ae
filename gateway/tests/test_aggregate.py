"""`/v1/kpis`: parallel, within one budget, partial results kept (`/v1/overview`: see
test_overview.py)."""

import time

import pytest

SERVICES = {"planning", "disaster-fund", "export-control", "statistics"}


@pytest.fixture
def budget(harness):
    return harness.app.state.settings.aggregate_budget_s


async def test_kpis_of_every_service_tagged_with_their_source(client, harness, upstreams):
    headers = harness.headers("kpi.reader")
    response = await client.get("/v1/kpis", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["x-gateway-completed"] == "true"
    body = response.json()
    assert body["completed"] is True
    assert set(body["sources"]) == SERVICES
    assert all(source["status"] == "ok" and isinstance(source["latency_ms"], int)
               for source in body["sources"].values())
    assert len(body["kpis"]) == sum(len(fake.kpis()) for fake in upstreams.values())
    assert {kpi["source"] for kpi in body["kpis"]} == SERVICES
    tagged = {kpi["id"]: kpi["source"] for kpi in body["kpis"]}
    assert tagged["applications_completed_within_1y_pct"] == "disaster-fund"
    # The caller's token is what each service sees (services authorise themselves).
    for fake in upstreams.values():
        assert fake.requests[-1]["headers"]["Authorization"] == headers["Authorization"]


async def test_one_service_stopped_gives_the_others_within_budget(client, harness, upstreams,
                                                                  budget):
    await upstreams["export-control"].stop()
    started = time.perf_counter()
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < budget
    assert response.headers["x-gateway-completed"] == "false"
    body = response.json()
    assert body["completed"] is False
    assert body["sources"]["export-control"]["status"] == "error"
    assert all(body["sources"][name]["status"] == "ok"
               for name in SERVICES - {"export-control"})
    assert {kpi["source"] for kpi in body["kpis"]} == SERVICES - {"export-control"}
    assert len(body["kpis"]) == sum(len(fake.kpis()) for name, fake in upstreams.items()
                                    if name != "export-control")


async def test_all_services_down_is_502(client, harness, upstreams):
    for fake in upstreams.values():
        await fake.stop()
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.status_code == 502
    problem = response.json()
    assert problem["code"] == "NO_UPSTREAM_ANSWERED"
    assert {source["status"] for source in problem["sources"].values()} == {"error"}


async def test_delayed_service_never_delays_the_answer_past_the_budget(client, harness,
                                                                       upstreams, budget):
    upstreams["planning"].delay_s = 3.0
    upstreams["statistics"].delay_s = 0.1  # slow but within the budget: still collected
    started = time.perf_counter()
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert budget * 0.9 <= elapsed < budget + 0.25
    body = response.json()
    assert body["completed"] is False
    assert body["sources"]["planning"]["status"] == "timeout"
    assert body["sources"]["statistics"]["status"] == "ok"
    assert body["sources"]["statistics"]["latency_ms"] >= 100
    assert {kpi["source"] for kpi in body["kpis"]} == SERVICES - {"planning"}


async def test_open_circuit_is_reported_without_calling_the_service(client, harness, upstreams):
    breaker = harness.app.state.upstreams["statistics"].breaker
    for _ in range(breaker.failure_threshold):
        breaker.record_failure()
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.json()["sources"]["statistics"]["status"] == "circuit_open"
    assert upstreams["statistics"].hits == 0


async def test_service_error_answer_marks_the_source(client, harness, upstreams):
    upstreams["disaster-fund"].status = 500
    body = (await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))).json()
    assert body["sources"]["disaster-fund"]["status"] == "error"
    assert body["sources"]["disaster-fund"]["http_status"] == 500
    assert body["completed"] is False


async def test_kpis_need_a_valid_token_at_the_gateway(client, upstreams):
    response = await client.get("/v1/kpis")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert sum(fake.hits for fake in upstreams.values()) == 0


async def test_every_service_refusing_the_caller_is_403(client, harness, upstreams):
    for fake in upstreams.values():
        fake.status = 403
    response = await client.get("/v1/kpis", headers=harness.headers("nobody"))
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
