"""Pooled connections are pinged only after idling (`create_engine(ping_after_idle_s=...)`):
SQLAlchemy's pre-ping cost three round trips on every checkout; a connection that broke while
in use fails its statement once, and the pool then replaces every connection it held."""

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dkbuza_dev.postgres import plain_url
from dkbuza_kit.db import create_engine


def _engine(server_url: str, ping_after_idle_s: float):
    url = make_url(plain_url(server_url)).set(drivername="postgresql+asyncpg")
    return create_engine(url.render_as_string(hide_password=False), pool_size=2,
                         max_overflow=0, ping_after_idle_s=ping_after_idle_s)


def _log_statements(engine) -> list[str]:
    """Every statement the engine's connections send, the simple-protocol ones included
    (BEGIN, the ping's `;`, ROLLBACK)."""
    seen: list[str] = []

    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, record) -> None:
        dbapi_connection.driver_connection.add_query_logger(
            lambda logged: seen.append(" ".join(logged.query.split())))

    return seen


async def _backend_pid(engine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(sa.text("SELECT pg_backend_pid()"))


async def _terminate(server_url: str, *pids: int) -> None:
    admin = await asyncpg.connect(plain_url(server_url), timeout=10)
    try:
        for pid in pids:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_a_connection_in_steady_use_is_checked_out_without_a_ping(pg_server_url):
    engine = _engine(pg_server_url, ping_after_idle_s=60)
    seen = _log_statements(engine)
    try:
        await _backend_pid(engine)  # connects
        seen.clear()
        for _ in range(3):
            await _backend_pid(engine)
        # Each checkout: the statement's own transaction only (a pre-ping added BEGIN/ROLLBACK).
        assert seen == ["BEGIN;", "ROLLBACK;"] * 3, seen
    finally:
        await engine.dispose()


async def test_an_idle_connection_is_pinged_and_replaced_when_it_broke(pg_server_url):
    engine = _engine(pg_server_url, ping_after_idle_s=0)  # every checkout counts as idle
    dialect = engine.sync_engine.dialect
    pings = []
    real_ping = dialect.do_ping
    dialect.do_ping = lambda connection: pings.append(1) or real_ping(connection)
    try:
        first = await _backend_pid(engine)  # a new connection: not pinged
        assert pings == []
        await _terminate(pg_server_url, first)  # e.g. a database restart while idle
        second = await _backend_pid(engine)  # the ping fails: a new connection, no error
        assert second != first
        assert pings == [1]
    finally:
        await engine.dispose()


async def test_a_connection_broken_in_use_fails_once_then_the_whole_pool_is_new(pg_server_url):
    engine = _engine(pg_server_url, ping_after_idle_s=60)
    try:
        async with engine.connect() as one, engine.connect() as two:  # both pooled connections
            pids = {await one.scalar(sa.text("SELECT pg_backend_pid()")),
                    await two.scalar(sa.text("SELECT pg_backend_pid()"))}
        await _terminate(pg_server_url, *pids)
        with pytest.raises(DBAPIError) as caught:
            await _backend_pid(engine)  # the request caught by the outage: a 503 in an app
        assert caught.value.connection_invalidated
        # The other pooled connection, broken too, is not handed out again.
        async with engine.connect() as one, engine.connect() as two:
            after = {await one.scalar(sa.text("SELECT pg_backend_pid()")),
                     await two.scalar(sa.text("SELECT pg_backend_pid()"))}
        assert not after & pids
    finally:
        await engine.dispose()
