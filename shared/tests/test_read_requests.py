"""Reads run in autocommit (`dkbuza_kit.timeouts`): a GET's statement goes without the BEGIN
and COMMIT round trips around it; writes keep their transaction; a read that tries to change
data is refused before anything is written."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import registry

from dkbuza_kit.db import _session
from dkbuza_kit.timeouts import READ
from dkbuza_kit.timeouts import WRITE
from dkbuza_kit.timeouts import WriteInReadRequest
from dkbuza_kit.timeouts import route_class_var
from dkbuza_kit.timeouts import writes


@pytest.fixture
async def statements(harness):
    """The simple-protocol statements (BEGIN, COMMIT, SET LOCAL ...) the app's connections send
    from now on; the pool is emptied first so every connection gets the logger."""
    engine = harness.app.state.engine
    seen: list[str] = []

    def on_connect(dbapi_connection, record) -> None:
        dbapi_connection.driver_connection.add_query_logger(
            lambda logged: seen.append(" ".join(logged.query.split())))

    sa.event.listen(engine.sync_engine, "connect", on_connect)
    await engine.dispose()
    yield seen
    sa.event.remove(engine.sync_engine, "connect", on_connect)
    await engine.dispose()


async def test_a_get_sends_no_begin_or_commit(client, harness, statements):
    writer = harness.headers("kit.writer")
    assert (await client.post("/v1/widgets", json={"name": "a"}, headers=writer)).status_code == 201
    assert "BEGIN;" in statements and "COMMIT;" in statements  # the write: one transaction
    statements.clear()
    listed = await client.get("/v1/widgets", headers=writer)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    assert "BEGIN;" not in statements and "COMMIT;" not in statements, statements


async def test_a_transactional_read_commits_what_it_wrote(client, harness):
    """A GET declaring TRANSACTIONAL_READ (a default installed on first use) keeps its write."""
    answer = await client.get("/v1/widgets-default", headers=harness.headers("kit.writer"))
    assert answer.status_code == 200
    async with harness.sessionmaker() as session:
        assert await session.scalar(sa.text(
            "SELECT count(*) FROM widgets WHERE name = 'default'")) == 1


async def test_a_write_inside_a_read_request_is_refused_and_leaves_nothing(client, harness):
    widgets = sa.table("widgets", sa.column("name"), sa.column("version"))
    token = route_class_var.set(READ)
    try:
        async with harness.sessionmaker() as session:
            with pytest.raises(WriteInReadRequest):
                await session.execute(sa.insert(widgets).values(name="sneaky", version=1))
    finally:
        route_class_var.reset(token)
    token = route_class_var.set(WRITE)  # a write request's session is a transaction
    try:
        async with harness.sessionmaker() as session:
            assert await session.scalar(sa.text(
                "SELECT count(*) FROM widgets WHERE name = 'sneaky'")) == 0
            assert await session.scalar(sa.text("SELECT current_setting('transaction_isolation')"
                                                )) == "read committed"
    finally:
        route_class_var.reset(token)


@pytest.mark.parametrize(("statement", "changes"), [
    ("SELECT 1", False),
    ("  select * from t for update", False),
    ("WITH a AS (SELECT 1) SELECT * FROM a", False),
    ("INSERT INTO t VALUES (1)", True),
    ("update t set a = 1", True),
    ('WITH moved AS (UPDATE "t" SET a = 1 RETURNING *) SELECT * FROM moved', True),
    ("WITH gone AS (DELETE FROM t RETURNING *) SELECT 1", True),
    ("SELECT pg_advisory_xact_lock(1)", True),  # released at once without a transaction
    ("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", True),
    ("SET statement_timeout = 1", True),  # would stay on the pooled connection
    ("TRUNCATE t", True),
])
def test_which_statements_count_as_writes(statement, changes):
    assert writes(statement) is changes


class _Widget:
    """An ORM view of the kit test app's `widgets` table, for the pending-change case."""


def widgets_table() -> sa.Table:
    return sa.Table("widgets", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("version", sa.Integer))


@pytest.fixture
def commits(harness):
    """How many times a session of the app committed from now on."""
    seen: list[object] = []

    def on_commit(session) -> None:
        seen.append(session)

    sa.event.listen(Session, "after_commit", on_commit)
    yield seen
    sa.event.remove(Session, "after_commit", on_commit)


async def _end_of_request(harness, route_class: str, work) -> None:
    """Run `work(session)` inside the kit's session dependency as a request of `route_class`."""
    token = route_class_var.set(route_class)
    try:
        dependency = _session(SimpleNamespace(app=harness.app))
        session = await anext(dependency)
        await work(session)
        with pytest.raises(StopAsyncIteration):
            await anext(dependency)
    finally:
        route_class_var.reset(token)


async def test_a_read_request_ends_without_a_commit(harness, commits):
    async def read(session):
        await session.execute(sa.text("SELECT count(*) FROM widgets"))

    await _end_of_request(harness, READ, read)
    assert commits == []
    await _end_of_request(harness, WRITE, read)
    assert len(commits) == 1  # a write request's transaction is committed


async def test_pending_orm_changes_in_a_read_request_are_refused_not_dropped(harness, commits):
    mapper = registry().map_imperatively(_Widget, widgets_table())
    try:
        async def sneak(session):
            widget = _Widget()
            widget.name, widget.version = "sneaky", 1
            session.add(widget)  # no flush: only the end of the request would write it

        with pytest.raises(WriteInReadRequest):
            await _end_of_request(harness, READ, sneak)
    finally:
        mapper.registry.dispose()
    async with harness.sessionmaker() as session:
        assert await session.scalar(sa.text(
            "SELECT count(*) FROM widgets WHERE name = 'sneaky'")) == 0
