"""Issue 13: a job's task runs outside the row lock of its claim. The claim (running, lease,
attempts + 1) is committed first, so a task that waits on the network blocks no one; a job
whose worker died is claimed again after its lease; only the lease holder records the outcome.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import JOB_LEASE
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.jobs import claim_job
from dkbuza_kit.jobs import enqueue
from dkbuza_kit.jobs import run_due_jobs
from dkbuza_kit.models import Job

WAIT_S = 30  # generous: the machine is shared


def blocking_registry(started: asyncio.Event, release: asyncio.Event,
                      runs: list[str]) -> TaskRegistry:
    """`feed` writes a widget, then waits (as for the gateway's answer) until released."""
    registry = TaskRegistry()

    @registry.task("feed")
    async def feed(session, payload, clock):
        runs.append(payload["run"])
        await session.execute(sa.text(
            "INSERT INTO widgets (name, version) VALUES (:name, 1)"), {"name": payload["run"]})
        started.set()
        await release.wait()

    return registry


async def enqueue_feed(harness, clock, run: str = "first") -> int:
    async with harness.sessionmaker() as session, session.begin():
        await enqueue(session, "feed", {"run": run}, run_at=clock.now())
        return await session.scalar(sa.select(sa.func.max(Job.id)))


@dataclass
class BlockedWorker:
    clock: FixedClock
    registry: TaskRegistry
    release: asyncio.Event
    runs: list[str]
    job_id: int
    worker: asyncio.Task


async def start_blocked_worker(harness) -> BlockedWorker:
    """A worker running a `feed` job, its task waiting to be released."""
    clock = FixedClock(datetime(2025, 1, 1, 12, tzinfo=UTC))
    started, release, runs = asyncio.Event(), asyncio.Event(), []
    registry = blocking_registry(started, release, runs)
    job_id = await enqueue_feed(harness, clock)
    worker = asyncio.create_task(run_due_jobs(harness.sessionmaker, registry, clock))
    await asyncio.wait_for(started.wait(), WAIT_S)
    return BlockedWorker(clock, registry, release, runs, job_id, worker)


async def job_row(harness, job_id: int):
    async with harness.sessionmaker() as session:
        return (await session.execute(sa.select(
            Job.status, Job.attempts, Job.lease_until, Job.last_error, Job.finished_at)
            .where(Job.id == job_id))).one()


async def widget_names(harness) -> list[str]:
    async with harness.sessionmaker() as session:
        return list(await session.scalars(sa.text("SELECT name FROM widgets ORDER BY id")))


async def test_a_blocked_task_holds_no_lock_on_its_job_row(client, harness):
    blocked = await start_blocked_worker(harness)
    clock, release, job_id, worker = blocked.clock, blocked.release, blocked.job_id, blocked.worker

    # Another connection locks the job row at once: the running task does not hold it.
    engine = create_async_engine(harness.database_url)
    try:
        async with engine.begin() as connection:
            locked = (await connection.execute(sa.text(
                "SELECT status, attempts, lease_until FROM jobs WHERE id = :id "
                "FOR UPDATE NOWAIT"), {"id": job_id})).one()
    finally:
        await engine.dispose()
    # ... and sees the committed claim
    assert (locked.status, locked.attempts) == ("running", 1)
    assert locked.lease_until == clock.now() + JOB_LEASE

    release.set()
    assert await asyncio.wait_for(worker, WAIT_S) == 1
    row = await job_row(harness, job_id)
    assert (row.status, row.attempts, row.lease_until, row.finished_at) == (
        "done", 1, None, clock.now())
    assert await widget_names(harness) == ["first"]


async def test_a_job_whose_worker_died_runs_again_after_the_lease(client, harness):
    blocked = await start_blocked_worker(harness)
    clock, registry, release, runs, job_id = (blocked.clock, blocked.registry, blocked.release,
                                              blocked.runs, blocked.job_id)
    killed = blocked.worker
    killed.cancel()  # the worker dies mid-task: its claim stays, its work is lost
    await asyncio.gather(killed, return_exceptions=True)
    assert (await job_row(harness, job_id)).status == "running"

    # Within the lease no one takes it; after the lease another worker does.
    clock.advance(seconds=JOB_LEASE.total_seconds() - 1)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 0
    clock.advance(seconds=2)
    release.set()
    assert await asyncio.wait_for(
        run_due_jobs(harness.sessionmaker, registry, clock), WAIT_S) == 1
    row = await job_row(harness, job_id)
    assert (row.status, row.attempts, row.lease_until) == ("done", 2, None)
    assert runs == ["first", "first"]
    assert await widget_names(harness) == ["first"]  # the dead run's write rolled back


async def test_a_worker_that_overran_its_lease_records_nothing_and_its_work_rolls_back(
        client, harness):
    blocked = await start_blocked_worker(harness)
    clock, release, job_id, slow = blocked.clock, blocked.release, blocked.job_id, blocked.worker

    clock.advance(seconds=JOB_LEASE.total_seconds() + 1)
    taken_over = await claim_job(harness.sessionmaker, clock)
    assert (taken_over.id, taken_over.attempts) == (job_id, 2)
    release.set()
    assert await asyncio.wait_for(slow, WAIT_S) == 1
    # The slow worker's lease is gone: the job is still the second worker's, and the slow
    # worker's write did not commit.
    row = await job_row(harness, job_id)
    assert (row.status, row.attempts) == ("running", 2)
    assert await widget_names(harness) == []


async def test_failures_are_recorded_with_backoff_and_a_lost_last_attempt_fails(client,
                                                                                harness):
    registry = TaskRegistry()

    @registry.task("broken")
    async def broken(session, payload, clock):
        raise RuntimeError("gateway answered 503")

    clock = FixedClock(datetime(2025, 1, 1, 12, tzinfo=UTC))
    async with harness.sessionmaker() as session, session.begin():
        await enqueue(session, "broken", run_at=clock.now(), max_attempts=2)
        await enqueue(session, "lost", run_at=clock.now(), max_attempts=1)
    lost = await claim_job(harness.sessionmaker, clock)  # claimed, then its worker died
    assert lost.task == "broken"  # the oldest id first
    clock.advance(seconds=JOB_LEASE.total_seconds() + 1)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 2
    async with harness.sessionmaker() as session:
        rows = {r.task: r for r in (await session.execute(sa.select(
            Job.task, Job.status, Job.attempts, Job.run_at, Job.last_error))).all()}
    # "broken": attempt 1 lost with its worker, attempt 2 raised -> failed (max 2)
    assert (rows["broken"].status, rows["broken"].attempts) == ("failed", 2)
    assert "503" in rows["broken"].last_error
    # "lost" (unknown task, max 1): its one attempt raised -> failed
    assert (rows["lost"].status, rows["lost"].attempts) == ("failed", 1)
    assert "unknown task" in rows["lost"].last_error


async def test_a_running_job_past_its_lease_with_no_attempts_left_is_failed(client, harness):
    clock = FixedClock(datetime(2025, 1, 1, 12, tzinfo=UTC))
    async with harness.sessionmaker() as session, session.begin():
        await enqueue(session, "slot", run_at=clock.now(), max_attempts=1)
    assert (await claim_job(harness.sessionmaker, clock)).attempts == 1  # worker then died
    clock.advance(seconds=JOB_LEASE.total_seconds() + 1)
    assert await run_due_jobs(harness.sessionmaker, TaskRegistry(), clock) == 1
    async with harness.sessionmaker() as session:
        row = (await session.execute(sa.select(Job.status, Job.attempts, Job.last_error))).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "lease" in row.last_error


async def test_a_retry_waits_for_its_backoff(client, harness):
    registry = TaskRegistry()
    calls = []

    @registry.task("flaky")
    async def flaky(session, payload, clock):
        calls.append(clock.now())
        if len(calls) == 1:
            raise RuntimeError("once")

    clock = FixedClock(datetime(2025, 1, 1, 12, tzinfo=UTC))
    async with harness.sessionmaker() as session, session.begin():
        await enqueue(session, "flaky", run_at=clock.now())
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    async with harness.sessionmaker() as session:
        row = (await session.execute(sa.select(Job.status, Job.run_at, Job.lease_id))).one()
    assert (row.status, row.run_at, row.lease_id) == ("queued",
                                                      clock.now() + timedelta(seconds=2), None)
    clock.advance(seconds=1)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 0
    clock.advance(seconds=1)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    assert len(calls) == 2
