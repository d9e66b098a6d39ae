"""A small PostgreSQL job queue and the worker loop every service runs.

Why not a library such as procrastinate: it talks to PostgreSQL through psycopg, so a job
could not be enqueued in the same SQLAlchemy/asyncpg transaction as the state change that
causes it. Here `enqueue` takes the caller's session: the job exists iff the change commits.

- `enqueue(session, task, payload, run_at=..., dedupe_key=...)`
- `Schedule`: periodic tasks; every poll, each due slot is enqueued once (dedupe on
  "<task>@<slot start>"), so several workers never run a slot twice.
- `run_due_jobs(sessionmaker, registry, clock)`: claims a due job (FOR UPDATE SKIP LOCKED,
  `running` with a lease, attempts + 1, committed), runs the task in its own transaction with
  no lock on the job row (a task may call the network), then records done / retry with
  exponential backoff / `failed`. A job whose lease ran out (its worker died) is claimed again.
"""

import asyncio
import signal
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.context import actor_var
from dkbuza_kit.metrics import JOBS_PROCESSED
from dkbuza_kit.models import Job
from dkbuza_kit.webhooks import Dispatcher
from dkbuza_kit.webhooks import TargetPolicy
from dkbuza_kit.webhooks import register_webhook_tasks

log = structlog.get_logger("dkbuza.jobs")

# A task gets its own session (committed by the runner) and the job's payload.
Task = Callable[[AsyncSession, dict[str, Any], Clock], Awaitable[None]]
# A loop run next to the job queue until the stop event (the webhook dispatcher).
Companion = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class TaskRegistry:
    tasks: dict[str, Task] = field(default_factory=dict)
    schedules: list["Schedule"] = field(default_factory=list)

    def task(self, name: str) -> Callable[[Task], Task]:
        def register(fn: Task) -> Task:
            self.tasks[name] = fn
            return fn

        return register

    def every(self, name: str, seconds: int) -> Callable[[Task], Task]:
        """Register a task and run it once per `seconds`-long slot."""

        def register(fn: Task) -> Task:
            self.tasks[name] = fn
            self.schedules.append(Schedule(task=name, every=timedelta(seconds=seconds)))
            return fn

        return register


@dataclass(frozen=True)
class Schedule:
    task: str
    every: timedelta

    def slot_start(self, now: datetime) -> datetime:
        epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
        slots = (now - epoch) // self.every
        return epoch + slots * self.every


async def enqueue(session: AsyncSession, task: str, payload: dict[str, Any] | None = None, *,
                  run_at: datetime, dedupe_key: str | None = None, max_attempts: int = 5) -> None:
    stmt = insert(Job).values(task=task, payload=payload or {}, run_at=run_at, status="queued",
                              attempts=0, max_attempts=max_attempts, dedupe_key=dedupe_key)
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[Job.dedupe_key])
    await session.execute(stmt)


async def enqueue_schedules(sessionmaker: async_sessionmaker[AsyncSession],
                            registry: TaskRegistry, clock: Clock) -> None:
    now = clock.now()
    async with sessionmaker() as session, session.begin():
        for schedule in registry.schedules:
            slot = schedule.slot_start(now)
            await enqueue(session, schedule.task, {"slot": slot.isoformat()}, run_at=slot,
                          dedupe_key=f"{schedule.task}@{slot.isoformat()}", max_attempts=1)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** attempts, 3600))


# Longer than any task runs (the network calls in tasks are bounded by their HTTP timeouts,
# seconds): past it the worker is taken for dead and the job is claimed again. Working value.
JOB_LEASE = timedelta(minutes=10)


class LeaseLost(RuntimeError):
    """The job was claimed again (this worker overran its lease): its work is rolled back."""


@dataclass(frozen=True)
class Claim:
    """A job claimed by this worker; the claim is committed before the task runs."""

    id: int
    task: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    lease_id: uuid.UUID
    exhausted: bool = False  # a lost run was its last attempt: recorded failed, not run


async def claim_job(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *,
                    lease: timedelta = JOB_LEASE) -> Claim | None:
    """Claim one job in a short transaction: a due queued one, or a running one whose lease ran
    out (its worker died). The row lock ends with the commit, before the task runs."""
    now = clock.now()
    async with sessionmaker() as session, session.begin():
        job = await session.scalar(
            select(Job)
            .where(or_(and_(Job.status == "queued", Job.run_at <= now),
                       and_(Job.status == "running", Job.lease_until <= now)))
            .order_by(Job.run_at, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job is None:
            return None
        if job.status == "running":
            log.warning("job_lease_expired", task=job.task, job_id=job.id, attempts=job.attempts)
            if job.attempts >= job.max_attempts:
                _settle(job, "failed", "worker lost: the lease of its last attempt ran out", now)
                JOBS_PROCESSED.labels(job.task, "error").inc()
                return Claim(job.id, job.task, {}, job.attempts, job.max_attempts,
                             uuid.uuid4(), exhausted=True)
        job.status = "running"
        job.attempts += 1
        job.lease_id = uuid.uuid4()
        job.claimed_at = now
        job.lease_until = now + lease
        return Claim(job.id, job.task, dict(job.payload), job.attempts, job.max_attempts,
                     job.lease_id)


def _settle(job: Job, status: str, error: str | None, now: datetime) -> None:
    job.status = status
    job.last_error = error
    job.lease_id = job.lease_until = None
    if status != "queued":
        job.finished_at = now


async def _held(session: AsyncSession, claim: Claim) -> Job:
    """The job row, locked for the outcome, if this worker's lease still holds it."""
    job = await session.scalar(select(Job).where(Job.id == claim.id,
                                                 Job.lease_id == claim.lease_id)
                               .with_for_update())
    if job is None:
        raise LeaseLost(f"job {claim.id} was claimed again")
    return job


async def run_claimed(sessionmaker: async_sessionmaker[AsyncSession], registry: TaskRegistry,
                      clock: Clock, claim: Claim) -> None:
    """The task in its own transaction, outside any lock of the job row. Success is recorded
    as that transaction's last statement (the work commits iff the job is marked done and the
    lease still holds); a failure in a new short transaction: retry with backoff or failed."""
    token = actor_var.set("system")
    try:
        task = registry.tasks.get(claim.task)
        if task is None:
            raise LookupError(f"unknown task {claim.task}")
        async with sessionmaker() as session, session.begin():
            await task(session, dict(claim.payload), clock)
            _settle(await _held(session, claim), "done", None, clock.now())
    except LeaseLost:
        log.warning("job_lease_lost", task=claim.task, job_id=claim.id)
    except Exception as exc:  # the task's transaction rolled back
        log.warning("job_failed", task=claim.task, job_id=claim.id, attempts=claim.attempts,
                    error=repr(exc))
        await _record_failure(sessionmaker, claim, repr(exc)[:2000], clock)
        JOBS_PROCESSED.labels(claim.task, "error").inc()
    else:
        JOBS_PROCESSED.labels(claim.task, "ok").inc()
    finally:
        actor_var.reset(token)


async def _record_failure(sessionmaker: async_sessionmaker[AsyncSession], claim: Claim,
                          error: str, clock: Clock) -> None:
    now = clock.now()
    try:
        async with sessionmaker() as session, session.begin():
            job = await _held(session, claim)
            if claim.attempts >= claim.max_attempts:
                _settle(job, "failed", error, now)
            else:
                _settle(job, "queued", error, now)
                job.run_at = now + backoff(claim.attempts)
    except LeaseLost:
        log.warning("job_lease_lost", task=claim.task, job_id=claim.id)


async def run_due_jobs(sessionmaker: async_sessionmaker[AsyncSession], registry: TaskRegistry,
                       clock: Clock, *, limit: int = 20, lease: timedelta = JOB_LEASE) -> int:
    """Run up to `limit` due jobs; returns how many ran (succeeded or failed)."""
    ran = 0
    while ran < limit:
        claim = await claim_job(sessionmaker, clock, lease=lease)
        if claim is None:
            return ran
        if not claim.exhausted:
            await run_claimed(sessionmaker, registry, clock, claim)
        ran += 1
    return ran


async def purge_finished(session: AsyncSession, older_than: datetime) -> None:
    await session.execute(
        update(Job).where(Job.status == "done", Job.finished_at < older_than)
        .values(payload={})
    )


async def worker_loop(sessionmaker: async_sessionmaker[AsyncSession], registry: TaskRegistry,
                      *, clock: Clock | None = None, poll_seconds: float = 1.0,
                      companions: Sequence[Companion] = (),
                      stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set); the job in progress (and each
    companion's work in flight) finishes first."""
    clock = clock or SystemClock()
    if stop is None:  # the worker process: stopped by its signals
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
    log.info("worker_started", tasks=sorted(registry.tasks))
    running = [asyncio.create_task(companion(stop)) for companion in companions]
    while not stop.is_set():
        try:
            await enqueue_schedules(sessionmaker, registry, clock)
            await run_due_jobs(sessionmaker, registry, clock)
        except Exception as exc:  # database down: keep the worker alive and retry
            log.warning("worker_poll_failed", error=repr(exc))
        try:
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
        except TimeoutError:
            pass
    await asyncio.gather(*running, return_exceptions=True)
    log.info("worker_stopped")


def run_worker(settings, registry: TaskRegistry, *, kpi_provider=None) -> None:
    """The body of every `python -m <package>.worker`: the service's jobs, webhook delivery and,
    given the service's KPI provider, the daily KPI snapshot (`GET /v1/kpis/history`)."""
    from dkbuza_kit.db import create_engine
    from dkbuza_kit.db import create_sessionmaker
    from dkbuza_kit.kpi_history import register_kpi_snapshot_task
    from dkbuza_kit.logs import configure_logging

    configure_logging(settings.log_level, settings.log_json, service=settings.service_name)
    register_webhook_tasks(registry)
    if kpi_provider is not None and "kpis-daily-snapshot" not in registry.tasks:
        register_kpi_snapshot_task(registry, kpi_provider)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)

    async def main() -> None:
        engine = create_engine(settings.database_url, pool_size=4, max_overflow=4)
        sessionmaker = create_sessionmaker(engine)
        targets = TargetPolicy(allow_loopback_http=settings.webhook_allow_loopback_http)
        dispatcher = Dispatcher(sessionmaker, targets=targets)
        try:
            await worker_loop(sessionmaker, registry, poll_seconds=settings.worker_poll_seconds,
                              companions=[dispatcher.run])
        finally:
            await engine.dispose()

    asyncio.run(main())
