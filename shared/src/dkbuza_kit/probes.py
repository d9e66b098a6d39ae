"""Readiness that answers within a second, whatever the pool is doing.

`/readyz` must not wait for a pooled connection: under load every slot is taken and the
probe would time out (seen: 29.85 s against a 3 s Kubernetes probe). `ReadinessProbe` keeps a
connection of its own with asyncpg (never a pool slot), bounded by `READYZ_TIMEOUT_S` for
(re)connect and query together, and reads the schema revision on it. The connection is kept
between probes: opening one per probe costs a backend fork and four round trips, which under
a burst (the pools opening their own connections at the same time) took up to 0.99 s, longer
than the timeout, so a busy but healthy app reported DATABASE_UNAVAILABLE. A kept connection
that broke (database restarted) is replaced within the same check; one left idle for
`IDLE_CLOSE_S` is closed. Concurrent probes share one check in flight, so a burst of probes
makes one query, not one each.

`/livez` needs nothing of this: it answers from the event loop alone.
"""

import asyncio
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Readiness:
    ready: bool
    code: str | None = None       # why not: DATABASE_UNAVAILABLE, MIGRATIONS_PENDING
    detail: str | None = None
    revision: str | None = None


def asyncpg_dsn(url: URL) -> str:
    """The SQLAlchemy URL of the app's database as a plain libpq/asyncpg DSN."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ReadinessProbe:
    IDLE_CLOSE_S = 60.0  # longer than any orchestrator's probe period

    def __init__(self, url: URL, expected_revision: str | None, timeout_s: float) -> None:
        self._dsn = asyncpg_dsn(url)
        self._expected = expected_revision
        self._timeout_s = timeout_s
        self._running: asyncio.Future[Readiness] | None = None
        self._connection: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: asyncio.TimerHandle | None = None

    async def check(self) -> Readiness:
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self._check())
        # Shielded: a probe client that hangs up does not cancel the others' shared check.
        return await asyncio.shield(self._running)

    async def close(self) -> None:
        """Close the kept connection (the app's shutdown; harmless when there is none)."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        connection, self._connection = self._connection, None
        if connection is not None and self._loop is asyncio.get_running_loop():
            try:
                await connection.close(timeout=self._timeout_s)
            except Exception:
                connection.terminate()

    async def _check(self) -> Readiness:
        try:
            async with asyncio.timeout(self._timeout_s):
                current = await self._revision()
        except Exception:  # refused, timed out, starting up ...: all mean "not ready"
            self._discard()
            return Readiness(False, "DATABASE_UNAVAILABLE", "the database is not reachable")
        finally:
            self._close_when_idle()
        if self._expected and current != self._expected:
            return Readiness(False, "MIGRATIONS_PENDING",
                             f"schema at {current}, expected {self._expected}")
        return Readiness(True, revision=current)

    async def _revision(self) -> str | None:
        kept = self._kept()
        if kept is not None:
            try:
                return await self._query(kept)
            except Exception:  # terminated by the server, closed, reset ... (not the deadline)
                self._discard()  # broken since the last probe: one fresh try, same deadline
        self._connection = await asyncpg.connect(
            self._dsn, timeout=self._timeout_s,
            server_settings={"application_name": "dkbuza-readyz",
                             "statement_timeout": str(int(self._timeout_s * 1000))})
        self._loop = asyncio.get_running_loop()
        return await self._query(self._connection)

    async def _query(self, connection: asyncpg.Connection) -> str | None:
        if not self._expected:
            await connection.execute("SELECT 1")
            return None
        return await connection.fetchval("SELECT version_num FROM alembic_version")

    def _kept(self) -> asyncpg.Connection | None:
        if self._connection is None or self._connection.is_closed():
            return None
        if self._loop is not asyncio.get_running_loop():  # an app reused on another loop
            self._connection = None  # belongs to that loop: left to it
            return None
        return self._connection

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and self._loop is asyncio.get_running_loop():
            connection.terminate()

    def _close_when_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._connection is not None:
            self._idle = asyncio.get_running_loop().call_later(
                self.IDLE_CLOSE_S, lambda: asyncio.ensure_future(self.close()))
