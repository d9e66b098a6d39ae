"""`/readyz`'s own database connection: kept between probes (opening one per probe cost a
backend fork and four round trips, up to 0.99 s under a burst, past the readiness timeout),
replaced within the same check when it broke, and closed on request."""

import asyncpg
from sqlalchemy.engine import make_url

from dkbuza_dev.postgres import plain_url
from dkbuza_kit.probes import ReadinessProbe


def _probe(server_url: str, timeout_s: float = 5.0) -> ReadinessProbe:
    url = make_url(plain_url(server_url)).set(drivername="postgresql+asyncpg")
    return ReadinessProbe(url, None, timeout_s)


async def _backend(probe: ReadinessProbe) -> int:
    # The connection's backend, as the server sees it (another connection asks).
    return probe._connection.get_server_pid()


async def test_readiness_keeps_its_connection_and_replaces_a_broken_one(pg_server_url):
    probe = _probe(pg_server_url)
    try:
        assert (await probe.check()).ready
        first = await _backend(probe)
        assert (await probe.check()).ready
        assert await _backend(probe) == first  # no new connection per probe

        admin = await asyncpg.connect(plain_url(pg_server_url), timeout=10)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        # The kept connection broke (e.g. a database restart): the same check reconnects.
        assert (await probe.check()).ready
        assert await _backend(probe) != first
    finally:
        await probe.close()
    assert probe._connection is None


async def test_readiness_without_a_database_is_not_ready_within_its_timeout():
    url = make_url("postgresql+asyncpg://postgres@127.0.0.1:1/postgres")
    probe = _probe(url.render_as_string(), timeout_s=0.5)
    readiness = await probe.check()
    assert (readiness.ready, readiness.code) == (False, "DATABASE_UNAVAILABLE")
    await probe.close()
