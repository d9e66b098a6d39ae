"""The audit table refuses UPDATE/DELETE; the job queue runs, retries and schedules once."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import Schedule
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.jobs import enqueue
from dkbuza_kit.jobs import enqueue_schedules
from dkbuza_kit.jobs import run_due_jobs
from dkbuza_kit.models import Job


async def test_audit_rows_are_written_with_the_actor_and_refuse_update_and_delete(client, harness):
    response = await client.post("/v1/widgets", json={"name": "a"},
                                 headers={**harness.headers("kit.writer", sub="alice"),
                                          "X-Request-ID": "req-42"})
    assert response.status_code == 201
    async with harness.sessionmaker() as session:
        row = (await session.execute(sa.text(
            "SELECT actor, request_id, entity_type, action, to_state FROM audit_events"))).one()
    assert tuple(row) == ("alice", "req-42", "widget", "created", "active")
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        async with harness.sessionmaker() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(sa.text(statement))
    async with harness.sessionmaker() as session:
        assert await session.scalar(sa.text("SELECT actor FROM audit_events")) == "alice"


async def test_jobs_run_retry_with_backoff_and_fail_after_max_attempts(client, harness):
    registry = TaskRegistry()
    calls: list[str] = []

    @registry.task("flaky")
    async def flaky(session, payload, clock):
        calls.append(payload["n"])
        await session.execute(sa.text("INSERT INTO widgets (name, version) VALUES ('job', 1)"))
        raise RuntimeError("boom")

    @registry.task("fine")
    async def fine(session, payload, clock):
        calls.append("fine")

    clock = FixedClock(datetime(2025, 1, 1, 12, tzinfo=UTC))
    async with harness.sessionmaker() as session, session.begin():
        await enqueue(session, "flaky", {"n": "1"}, run_at=clock.now(), max_attempts=2)
        await enqueue(session, "fine", run_at=clock.now() + timedelta(hours=1))
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    # The failed attempt's writes rolled back; the retry waits for its backoff (2 s).
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 0
    clock.advance(seconds=2)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    clock.advance(hours=1)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    assert calls == ["1", "1", "fine"]
    async with harness.sessionmaker() as session:
        states = dict((await session.execute(sa.select(Job.task, Job.status))).all())
        assert states == {"flaky": "failed", "fine": "done"}
        assert await session.scalar(sa.text("SELECT count(*) FROM widgets")) == 0


async def test_scheduled_slot_is_enqueued_once(client, harness):
    registry = TaskRegistry()
    runs = []

    @registry.every("tick", 3600)
    async def tick(session, payload, clock):
        runs.append(payload["slot"])

    clock = FixedClock(datetime(2025, 1, 1, 12, 30, tzinfo=UTC))
    for _ in range(3):
        await enqueue_schedules(harness.sessionmaker, registry, clock)
    await run_due_jobs(harness.sessionmaker, registry, clock)
    clock.advance(hours=1)
    await enqueue_schedules(harness.sessionmaker, registry, clock)
    await run_due_jobs(harness.sessionmaker, registry, clock)
    assert runs == ["2025-01-01T12:00:00+00:00", "2025-01-01T13:00:00+00:00"]
    assert Schedule("x", timedelta(days=1)).slot_start(clock.now()) == datetime(2025, 1, 1,
                                                                                 tzinfo=UTC)
