"""SIGTERM with a request in flight: the request finishes, then the process exits cleanly.

The request is made slow on purpose: the test holds an exclusive lock on the table the
request needs, sends SIGTERM while the request waits for it, checks that the server stops
accepting connections but keeps running, and only then releases the lock.
"""

import asyncio
import signal
import socket

import asyncpg
import httpx
import pytest

from .conftest import SERVICE_SPECS
from .conftest import app_dsn
from .conftest import fetch
from .conftest import log_tail
from .conftest import wait_until_async

pytestmark = pytest.mark.timeout(120)


def accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_sigterm_lets_the_in_flight_request_finish(launch, pg_server_url, signing_key):
    app = launch(SERVICE_SPECS["statistics"], pg_server_url)
    token = signing_key.mint(sub="reliability", roles=["vsa.staff"])

    async def waiting_on_our_lock() -> bool:
        rows = await fetch(app, "SELECT count(*) AS n FROM pg_stat_activity "
                                "WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return rows[0]["n"] > 0

    locker = await asyncpg.connect(app_dsn(app), timeout=10)
    try:
        lock = locker.transaction()
        await lock.start()
        await locker.execute("LOCK TABLE network_entities IN ACCESS EXCLUSIVE MODE")
        async with httpx.AsyncClient(base_url=app.url, timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            in_flight = asyncio.create_task(
                client.post("/v1/entities", json={"code": "IN-FLIGHT", "name": "Slow"}))
            await wait_until_async(waiting_on_our_lock, 20, "the request to wait for the lock")

            app.process.send_signal(signal.SIGTERM)

            async def listener_closed() -> bool:
                return not await asyncio.to_thread(accepts_connections, app.port)

            # Shutting down: no new connections, but alive for the request it is serving.
            await wait_until_async(listener_closed, 10, "the server to stop listening")
            assert app.process.poll() is None, log_tail(app)
            assert not in_flight.done()

            await lock.rollback()
            response = await asyncio.wait_for(in_flight, 30)
        assert response.status_code == 201, response.text
    finally:
        await locker.close()

    exit_code = await asyncio.to_thread(app.process.wait, 30)
    # uvicorn ends a graceful shutdown by re-raising the signal it caught, so a clean exit
    # shows as "terminated by SIGTERM" (or 0 with older versions), never a crash or SIGKILL.
    assert exit_code in (0, -signal.SIGTERM), log_tail(app)
    assert "Application shutdown complete" in log_tail(app, 20_000)
    assert [row["code"] for row in await fetch(
        app, "SELECT code FROM network_entities")] == ["IN-FLIGHT"]
