"""A small PostgreSQL job queue and the worker loop every service runs.

Why not a library such as procrastinate: it talks to PostgreSQL through psycopg, so a job
could not be enqueued in the same SQLAlchemy/asyncpg transaction as the state change that
causes it. Here `enqueue` takes the caller's session: the job exists iff the change commits.

- `enqueue(session, task, payload, run_at=..., dedupe_key=...)`
- `Schedule`: periodic tasks; every poll, each due slot is enqueued once (dedupe on
  "<task>@<slot start>"), so several workers never run a slot twice.
- `run_due_jobs(sessionmaker, registry, clock)`: claims due jobs with FOR UPDATE SKIP LOCKED,
  runs each in its own transaction, retries with exponential backoff, then marks `failed`.
"""

import asyncio
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dkbuza_kit.clock import Clock, SystemClock
from dkbuza_kit.context import actor_var
from dkbuza_kit.metrics import JOBS_PROCESSED
from dkbuza_kit.models import Job
from dkbuza_kit.webhooks import Dispatcher, TargetPolicy, register_webhook_tasks

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


async def run_due_jobs(sessionmaker: async_sessionmaker[AsyncSession], registry: TaskRegistry,
                       clock: Clock, *, limit: int = 20) -> int:
    """Run up to `limit` due jobs; returns how many ran (succeeded or failed)."""
    ran = 0
    while ran < limit:
        async with sessionmaker() as session, session.begin():
            job = await session.scalar(
                select(Job)
                .where(Job.status == "queued", Job.run_at <= clock.now())
                .order_by(Job.run_at, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                return ran
            job.attempts += 1
            task = registry.tasks.get(job.task)
            token = actor_var.set("system")
            try:
                if task is None:
                    raise LookupError(f"unknown task {job.task}")
                async with session.begin_nested():
                    await task(session, dict(job.payload), clock)
            except Exception as exc:  # the job's work rolled back to the savepoint
                log.warning("job_failed", task=job.task, job_id=job.id, attempts=job.attempts,
                            error=repr(exc))
                job.last_error = repr(exc)[:2000]
                if job.attempts >= job.max_attempts:
                    job.status = "failed"
                    job.finished_at = clock.now()
                else:
                    job.run_at = clock.now() + backoff(job.attempts)
                JOBS_PROCESSED.labels(job.task, "error").inc()
            else:
                job.status = "done"
                job.finished_at = clock.now()
                JOBS_PROCESSED.labels(job.task, "ok").inc()
            finally:
                actor_var.reset(token)
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
    from dkbuza_kit.db import create_engine, create_sessionmaker
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
