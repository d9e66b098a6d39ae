"""The database goes away under a running service (statistics, on a private PostgreSQL).

- stopped: `/readyz` 503, `/livez` 200, requests answer 503 problems; after the restart the
  same process is ready again within 5 s and serves requests;
- restarted during load: only the requests caught by the restart fail, as problems or
  connection errors; every 2xx is durable, nothing is written behind a failure, and no write
  is half done (an entity never exists without its audit row, nor the reverse).
"""

import asyncio
import time
from dataclasses import dataclass

import httpx
import pytest

from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE

from .conftest import SERVICE_SPECS
from .conftest import fetch
from .conftest import log_tail
from .conftest import wait_until
from .conftest import wait_until_async

STATISTICS = SERVICE_SPECS["statistics"]
RECOVERY_BUDGET_S = 5.0
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def statistics(launch, private_pg):
    """The statistics service on the private PostgreSQL, which is running again afterwards."""
    app = launch(STATISTICS, private_pg.url)
    yield app
    if not private_pg.is_running():
        private_pg.start()


@pytest.fixture
def staff(signing_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {signing_key.mint(sub='reliability', roles=['vsa.staff'])}"}


def entity(code: str) -> dict[str, str]:
    return {"code": code, "name": f"Entity {code}"}


def assert_database_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert response.json()["code"] == "DATABASE_UNAVAILABLE"


def test_database_stopped_then_back_without_restarting_the_app(statistics, private_pg, staff):
    client = httpx.Client(base_url=statistics.url, headers=staff, timeout=10)
    assert client.get("/readyz").status_code == 200
    pid = statistics.process.pid

    private_pg.stop()
    try:
        readyz = wait_until(lambda: (r := client.get("/readyz")).status_code == 503 and r,
                            5, "/readyz to report the database down")
        assert_database_unavailable(readyz)
        assert client.get("/livez").status_code == 200
        # Still so a moment later: the process neither dies nor pretends.
        assert_database_unavailable(client.get("/readyz"))
        assert client.get("/livez").json() == {"status": "ok"}
    finally:
        private_pg.start()
    restarted = time.monotonic()

    wait_until(lambda: client.get("/readyz").status_code == 200, RECOVERY_BUDGET_S,
               "/readyz 200 after the database restart")
    recovered_in = time.monotonic() - restarted
    assert recovered_in < RECOVERY_BUDGET_S
    assert statistics.process.poll() is None and statistics.process.pid == pid

    created = client.post("/v1/entities", json=entity("AFTER-RESTART"))
    assert created.status_code == 201, created.text
    assert client.get("/v1/entities/AFTER-RESTART").status_code == 200


def test_requests_while_the_database_is_down_are_503_problems(statistics, private_pg, staff):
    client = httpx.Client(base_url=statistics.url, headers=staff, timeout=10)
    assert client.post("/v1/entities", json=entity("BEFORE")).status_code == 201

    private_pg.stop()
    try:
        wait_until(lambda: client.get("/readyz").status_code == 503, 5, "/readyz 503")
        # A read, a write, and a read of a pooled connection's second use: all the same
        # problem with a hint when to come back, never an internal error.
        for response in (client.get("/v1/entities"),
                         client.post("/v1/entities", json=entity("DURING")),
                         client.get("/v1/entities/BEFORE")):
            assert_database_unavailable(response)
            assert "Retry-After" in response.headers
    finally:
        private_pg.start()

    wait_until(lambda: client.get("/readyz").status_code == 200, RECOVERY_BUDGET_S, "recovery")
    assert client.get("/v1/entities/DURING").status_code == 404  # the refused write left nothing
    assert client.get("/v1/entities/BEFORE").status_code == 200


@dataclass
class Attempt:
    code: str
    started: float
    ended: float
    status: int | None          # None: the connection failed
    problem_code: str | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == 201


WORKERS = 8


async def test_restart_during_load_fails_only_caught_requests_and_leaves_no_partial_writes(
        statistics, private_pg, staff):
    attempts: list[Attempt] = []
    done = asyncio.Event()

    async def create_entities(client: httpx.AsyncClient, worker: int) -> None:
        number = 0
        while not done.is_set():
            code = f"W{worker}-{number}"
            number += 1
            started = time.monotonic()
            try:
                response = await client.post("/v1/entities", json=entity(code))
            except httpx.TransportError as exc:
                attempts.append(Attempt(code, started, time.monotonic(), None, None, repr(exc)))
                continue
            problem = (response.json().get("code")
                       if response.headers.get("content-type", "").startswith(PROBLEM_MEDIA_TYPE)
                       else None)
            attempts.append(Attempt(code, started, time.monotonic(), response.status_code,
                                    problem, None if response.status_code == 201 else response.text))

    def count(predicate) -> int:
        return sum(1 for attempt in attempts if predicate(attempt))

    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    async with httpx.AsyncClient(base_url=statistics.url, headers=staff, timeout=30,
                                 limits=limits) as client:
        workers = [asyncio.create_task(create_entities(client, n)) for n in range(WORKERS)]
        try:
            async def load_established():
                return count(lambda a: a.succeeded) >= 5 * WORKERS

            await wait_until_async(load_established, 30, "load before the restart")
            stopping = time.monotonic()
            await asyncio.to_thread(private_pg.stop)
            stopped = time.monotonic()

            async def outage_seen():  # requests arrive while the database is down
                return count(lambda a: a.started > stopped) >= 2 * WORKERS

            try:
                await wait_until_async(outage_seen, 30, "requests during the outage")
            finally:
                await asyncio.to_thread(private_pg.start)
            back = time.monotonic()

            async def load_recovered():
                return count(lambda a: a.started > back and a.succeeded) >= 5 * WORKERS

            await wait_until_async(load_recovered, 30, "load after the restart")
        finally:
            done.set()
            await asyncio.gather(*workers)

    failed = [a for a in attempts if not a.succeeded]
    succeeded = {a.code for a in attempts if a.succeeded}
    context = f"{len(attempts)} attempts; app log:\n{log_tail(statistics)}"

    # Failures are problem responses that say why, or connection errors; never anything else.
    unexpected = [a for a in failed
                  if a.status is not None and (a.status, a.problem_code) != (503,
                                                                             "DATABASE_UNAVAILABLE")]
    assert not unexpected, f"unexpected answers: {unexpected[:5]}\n{context}"
    # Only requests caught by the restart fail: not those done before it began...
    assert not [a for a in failed if a.ended < stopping], context
    # ...nor those sent once the database was back (the pool replaces dead connections).
    assert not [a for a in failed if a.started > back], f"{failed[-5:]}\n{context}"
    # The outage did hit requests (the test exercised what it claims).
    assert [a for a in failed if stopped < a.started and a.ended < back]

    entity_codes = {row["code"] for row in await fetch(
        statistics, "SELECT code FROM network_entities")}
    audit_rows = await fetch(statistics, "SELECT entity_id FROM audit_events "
                                         "WHERE entity_type = 'network_entity' AND action = 'created'")
    audited = [row["entity_id"] for row in audit_rows]

    assert succeeded <= entity_codes, f"lost after a 201: {sorted(succeeded - entity_codes)[:10]}"
    written_behind_failure = entity_codes & {a.code for a in failed}
    assert not written_behind_failure, f"written although the request failed: " \
                                       f"{[a for a in failed if a.code in written_behind_failure]}"
    assert entity_codes <= {a.code for a in attempts}
    # All or nothing per request: each entity has exactly one audit row, and no audit row
    # outlives its entity.
    assert sorted(audited) == sorted(entity_codes)

    async with httpx.AsyncClient(base_url=statistics.url, headers=staff, timeout=30) as client:
        listed = (await client.get("/v1/entities", params={"limit": 1})).json()
        assert listed["total"] == len(entity_codes)
