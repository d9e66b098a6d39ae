"""Services failing behind the gateway (all four services and the gateway as real processes).

- killed (SIGKILL): its routes fail fast (502 naming the upstream; once the circuit breaker
  has opened, 502 `UPSTREAM_CIRCUIT_OPEN`, just as fast), the other services' routes keep
  working, and `/v1/kpis` answers with what the others sent (`completed: false`, the dead
  source marked) without waiting for its time budget;
- slow (SIGSTOP: it accepts connections but never answers): 504 once the configured read
  timeout has passed, and `/v1/kpis` returns within its budget with that source `timeout`.
"""

import os
import signal
import time

import httpx
import pytest

from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE

from .conftest import log_tail
from .conftest import wait_until

pytestmark = pytest.mark.timeout(180)
ALL_SOURCES = {"planning", "disaster-fund", "export-control", "statistics"}
FAIL_FAST_S = 1.0
# Generous: on a loaded 2-core machine the healthy services' KPI queries must fit in it.
AGGREGATE_BUDGET_S = 8.0
# The slow-service test waits this out once; warm KPI requests take tens of milliseconds.
SLOW_AGGREGATE_BUDGET_S = 5.0


@pytest.fixture
def client_for(signing_key):
    """`client_for(gateway)`: a client with a token that passes every route used here."""
    token = signing_key.mint(sub="reliability", org="dkbuza",
                             roles=["kpi.reader", "planning.reader", "vsa.staff"])
    clients = []

    def _client(gateway) -> httpx.Client:
        client = httpx.Client(base_url=gateway.url, timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    yield _client
    for client in clients:
        client.close()


def timed(call, *args, **kwargs) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def assert_upstream_problem(response: httpx.Response, status: int, code: str,
                            upstream: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body = response.json()
    assert body["code"] == code
    assert body["upstream"] == upstream


def assert_complete(client: httpx.Client) -> None:
    """All four sources answer (so a partial result later is the fault's doing)."""
    def complete():
        response = client.get("/v1/kpis")
        return response.status_code == 200 and response.json()["completed"]

    wait_until(complete, 30, "a complete /v1/kpis before the fault", interval=0.5)


def test_killed_service_fails_fast_and_aggregates_return_partial_results(
        services, start_gateway, client_for):
    gateway = start_gateway(aggregate_budget_s=AGGREGATE_BUDGET_S, breaker_failure_threshold=5)
    client = client_for(gateway)
    assert client.get("/planning/v1/plans").status_code == 200
    assert_complete(client)

    services["planning"].stop(signal.SIGKILL)

    kpis, elapsed = timed(client.get, "/v1/kpis")
    assert kpis.status_code == 200, kpis.text
    assert elapsed < AGGREGATE_BUDGET_S / 2, "a dead source must not hold the answer"
    body = kpis.json()
    assert body["completed"] is False
    assert kpis.headers["X-Gateway-Completed"] == "false"
    assert body["sources"]["planning"]["status"] == "error"
    assert {name for name, source in body["sources"].items() if source["status"] == "ok"} \
        == ALL_SOURCES - {"planning"}, body["sources"]
    sources_of_figures = {figure["source"] for figure in body["kpis"]}
    assert "planning" not in sources_of_figures
    assert sources_of_figures, "the other services' KPIs are returned"

    # Its routes: a read (retried, being idempotent), a write (not retried). Its health is
    # not published through the gateway.
    for method, path, extra in [
        ("GET", "/planning/v1/plans", {}),
        ("POST", "/planning/v1/plans/import", {"files": {"file": ("plan.txt", b"plan")}}),
    ]:
        response, elapsed = timed(client.request, method, path, **extra)
        assert_upstream_problem(response, 502, "UPSTREAM_UNAVAILABLE", "planning")
        assert elapsed < FAIL_FAST_S, f"{method} {path} took {elapsed:.2f}s"

    # While it stays down it keeps failing fast; the breaker may take over (502, Retry-After).
    for _ in range(4):
        response, elapsed = timed(client.get, "/planning/v1/plans")
        assert elapsed < FAIL_FAST_S
        assert response.status_code == 502
        if response.json()["code"] == "UPSTREAM_CIRCUIT_OPEN":
            assert_upstream_problem(response, 502, "UPSTREAM_CIRCUIT_OPEN", "planning")
            assert int(response.headers["Retry-After"]) >= 1
        else:
            assert_upstream_problem(response, 502, "UPSTREAM_UNAVAILABLE", "planning")

    # The rest of the platform is untouched, and the gateway itself stays ready.
    assert client.get("/statistics/v1/entities").status_code == 200
    readyz = client.get("/readyz")
    assert readyz.status_code == 200, readyz.text
    assert readyz.json()["upstreams"]["planning"]["status"] == "error"
    assert readyz.json()["upstreams"]["statistics"]["status"] == "ok"


READ_TIMEOUT_S = 2.0


def test_slow_service_answers_504_within_the_read_timeout(services, start_gateway, client_for):
    gateway = start_gateway(upstream_read_timeout_s=READ_TIMEOUT_S,
                            aggregate_budget_s=SLOW_AGGREGATE_BUDGET_S)
    client = client_for(gateway)
    wait_until(lambda: client.get("/statistics/v1/entities").status_code == 200, 30,
               "the statistics route through the gateway")
    assert_complete(client)
    slow = services["statistics"]

    os.kill(slow.process.pid, signal.SIGSTOP)
    try:
        response, elapsed = timed(client.get, "/statistics/v1/entities")
        assert_upstream_problem(response, 504, "UPSTREAM_TIMEOUT", "statistics")
        # It waited for the configured timeout, and not (much) longer.
        assert READ_TIMEOUT_S - 0.2 <= elapsed < READ_TIMEOUT_S + 2.5, f"{elapsed:.2f}s"

        kpis, elapsed = timed(client.get, "/v1/kpis")
        assert kpis.status_code == 200, kpis.text
        assert elapsed < SLOW_AGGREGATE_BUDGET_S + 2.5, f"the budget was not kept: {elapsed:.2f}s"
        body = kpis.json()
        assert body["completed"] is False
        assert body["sources"]["statistics"]["status"] == "timeout"
        assert {name for name, source in body["sources"].items() if source["status"] == "ok"} \
            == ALL_SOURCES - {"statistics"}, body["sources"]
        assert "statistics" not in {figure["source"] for figure in body["kpis"]}

        # Other services' routes are not held up by the slow one.
        other, elapsed = timed(client.get, "/planning/v1/plans")
        assert other.status_code == 200 and elapsed < READ_TIMEOUT_S
    finally:
        os.kill(slow.process.pid, signal.SIGCONT)

    # Resumed: served again through the same gateway.
    wait_until(lambda: client.get("/statistics/v1/entities").status_code == 200, 15,
               f"statistics after SIGCONT; log: {log_tail(slow, 500)}", interval=0.2)
