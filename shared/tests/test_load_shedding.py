"""Load shedding and probes of every kit app (a small app with tight limits, in-process).

- more requests in flight than `MAX_IN_FLIGHT`: 503 `OVERLOADED` at once, with Retry-After;
  health exempt;
- every pooled connection taken: 503 `DATABASE_BUSY` after `DB_POOL_TIMEOUT_S`, one log line
  without a traceback; `/readyz` still answers on its own connection;
- statement timeouts by route class (read, write, export), the connection default outside
  requests; a read past its timeout is 503 `QUERY_TIMEOUT`;
- exports beyond `EXPORT_CONCURRENCY` (held until the streamed body is sent): 503 `EXPORTS_BUSY`.
"""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from dkbuza_dev.testing import ServiceHarness
from dkbuza_kit.app import create_app
from dkbuza_kit.db import DbSession
from dkbuza_kit.settings import ServiceSettings
from dkbuza_kit.shedding import ExportSlot

from .conftest import KIT_APP_INI

MAX_IN_FLIGHT = 5
POOL = 2
TIMEOUTS = {"read": 300, "write": 600, "export": 900}


class Gate:
    """Requests parked in the app until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = 0
        self.opened = asyncio.Event()

    async def park(self) -> None:
        self.entered += 1
        await self.opened.wait()

    async def wait_entered(self, count: int) -> None:
        async with asyncio.timeout(10):
            while self.entered < count:  # noqa: ASYNC110 (a count, not an event)
                await asyncio.sleep(0.01)


GATE: dict[str, Gate] = {}


def shedding_router() -> APIRouter:
    router = APIRouter(tags=["shedding"])

    @router.get("/v1/park")
    async def park() -> dict:
        await GATE["now"].park()
        return {"ok": True}

    @router.get("/v1/park-connection")
    async def park_connection(session: DbSession) -> dict:
        await session.execute(sa.text("SELECT 1"))  # the connection is checked out now
        await GATE["now"].park()
        return {"ok": True}

    @router.get("/v1/timeout")
    async def read_timeout(session: DbSession) -> dict:
        return {"timeout": await session.scalar(sa.text("SHOW statement_timeout"))}

    @router.post("/v1/timeout")
    async def write_timeout(session: DbSession) -> dict:
        return {"timeout": await session.scalar(sa.text("SHOW statement_timeout"))}

    @router.get("/v1/export-timeout")
    async def export_timeout(session: DbSession, _: ExportSlot) -> dict:
        return {"timeout": await session.scalar(sa.text("SHOW statement_timeout"))}

    @router.get("/v1/slow-read")
    async def slow_read(session: DbSession) -> dict:
        await session.execute(sa.text("SELECT pg_sleep(2)"))
        return {"ok": True}

    @router.get("/v1/export.csv", response_class=StreamingResponse)
    async def export(_: ExportSlot) -> StreamingResponse:
        async def lines() -> AsyncIterator[str]:
            yield "a,b\r\n"
            await GATE["now"].park()  # still streaming: the slot stays taken
            yield "1,2\r\n"

        return StreamingResponse(lines(), media_type="text/csv")

    return router


def create_shedding_app(settings: ServiceSettings):
    return create_app(settings, title="Shedding test app", public_routers=[shedding_router()],
                      alembic_ini=KIT_APP_INI, version="test")


@pytest.fixture(scope="module")
async def shedding(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="kit_shedding", create_app=create_shedding_app,
        settings_cls=ServiceSettings, alembic_ini=KIT_APP_INI, max_in_flight=MAX_IN_FLIGHT,
        db_pool_size=POOL, db_max_overflow=0, db_pool_timeout_s=0.3,
        db_statement_timeout_read_ms=TIMEOUTS["read"],
        db_statement_timeout_write_ms=TIMEOUTS["write"],
        db_statement_timeout_export_ms=TIMEOUTS["export"],
        export_concurrency=1, export_wait_s=0.1,
    ) as running:
        yield running


@pytest.fixture
async def client(shedding) -> AsyncIterator[httpx.AsyncClient]:
    GATE["now"] = Gate()
    yield shedding.client
    GATE["now"].opened.set()


def assert_problem(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert int(response.headers["retry-after"]) >= 1


async def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def test_requests_beyond_the_in_flight_limit_are_refused_at_once(client):
    gate = GATE["now"]
    parked = [asyncio.create_task(client.get("/v1/park")) for _ in range(MAX_IN_FLIGHT)]
    await gate.wait_entered(MAX_IN_FLIGHT)

    refused, elapsed = await timed(client.get("/v1/park"))
    assert_problem(refused, "OVERLOADED")
    assert elapsed < 1.0
    assert gate.entered == MAX_IN_FLIGHT  # the refused request never reached the endpoint
    # Probes are exempt from the limit.
    assert (await client.get("/livez")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200

    gate.opened.set()
    assert [r.status_code for r in await asyncio.gather(*parked)] == [200] * MAX_IN_FLIGHT
    assert (await client.get("/v1/timeout")).status_code == 200  # capacity is back
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_shed_total{reason="in_flight",service="dkbuza"}' in metrics


async def test_pool_timeout_is_503_database_busy_without_a_traceback(client, capfd):
    gate = GATE["now"]
    holders = [asyncio.create_task(client.get("/v1/park-connection")) for _ in range(POOL)]
    await gate.wait_entered(POOL)
    capfd.readouterr()

    busy = await client.get("/v1/timeout")
    assert_problem(busy, "DATABASE_BUSY")
    # Readiness does not queue for the pool: its own connection, answered promptly.
    readyz, elapsed = await timed(client.get("/readyz"))
    assert readyz.status_code == 200, readyz.text
    assert elapsed < 1.0

    output = "".join(capfd.readouterr())
    assert "database_pool_timeout" in output
    assert "Traceback" not in output and "INTERNAL_ERROR" not in output
    gate.opened.set()
    assert [r.status_code for r in await asyncio.gather(*holders)] == [200] * POOL


@pytest.mark.parametrize(("method", "path", "route_class"), [
    ("GET", "/v1/timeout", "read"),
    ("POST", "/v1/timeout", "write"),
    ("GET", "/v1/export-timeout", "export"),
])
async def test_statement_timeout_follows_the_route_class(client, method, path, route_class):
    response = await client.request(method, path)
    assert response.status_code == 200, response.text
    assert response.json()["timeout"] == f"{TIMEOUTS[route_class]}ms"


async def test_outside_requests_the_connection_default_applies(client, shedding):
    async with shedding.app.state.sessionmaker() as session:
        assert await session.scalar(sa.text("SHOW statement_timeout")) == "30s"


async def test_a_read_past_its_statement_timeout_is_503_query_timeout(client):
    response, elapsed = await timed(client.get("/v1/slow-read"))
    assert_problem(response, "QUERY_TIMEOUT")
    assert elapsed < 1.5  # the read timeout (0.3 s), not the query's 2 s


async def test_exports_beyond_their_concurrency_are_refused_while_one_streams(client):
    gate = GATE["now"]
    first = asyncio.create_task(client.get("/v1/export.csv"))
    await gate.wait_entered(1)  # its body has started and waits in the middle

    assert_problem(await client.get("/v1/export.csv"), "EXPORTS_BUSY")
    assert_problem(await client.get("/v1/export-timeout"), "EXPORTS_BUSY")
    assert (await client.get("/v1/timeout")).status_code == 200  # other routes unaffected

    gate.opened.set()
    done = await first
    assert done.status_code == 200 and done.text == "a,b\r\n1,2\r\n"
    assert (await client.get("/v1/export-timeout")).status_code == 200  # the slot is free


async def test_reads_cost_no_extra_statement_and_other_classes_one(client, shedding):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = shedding.app.state.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert (await client.get("/v1/timeout")).status_code == 200
        reads = [s for s in seen if s.startswith("SET LOCAL")]
        seen.clear()
        assert (await client.post("/v1/timeout")).status_code == 200
        writes = [s for s in seen if s.startswith("SET LOCAL")]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert reads == []  # the connections' own default is the read timeout
    assert writes == [f"SET LOCAL statement_timeout = {TIMEOUTS['write']}"]
