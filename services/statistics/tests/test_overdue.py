"""The daily overdue check (worker job): one `release.overdue` event per release and missed
target, run through the job queue as the worker runs it."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

from dkbuza_kit.jobs import enqueue_schedules
from dkbuza_kit.jobs import run_due_jobs
from dkbuza_kit.models import Job
from dkbuza_kit.models import OutboxEvent
from vsp_statistics.events import EVENT_TYPES
from vsp_statistics.releases.overdue import OVERDUE_CHECK_TASK
from vsp_statistics.releases.overdue import signal_overdue_releases
from vsp_statistics.worker import registry


async def run_daily_check(harness, clock, at: datetime) -> None:
    """What the worker does when it polls at `at`: enqueue the due slot, run due jobs."""
    clock.set(at)
    await enqueue_schedules(harness.sessionmaker, registry, clock)
    await run_due_jobs(harness.sessionmaker, registry, clock)


async def overdue_events(harness) -> list[tuple[str, str | None, str, int]]:
    async with harness.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent).where(OutboxEvent.type == "release.overdue")
            .order_by(OutboxEvent.created_at, OutboxEvent.id))
        return [(e.subject, e.org, e.data["target"], e.data["days_overdue"])
                for (e,) in rows]


def test_the_check_is_scheduled_daily_and_its_event_is_offered_as_webhook():
    [schedule] = [s for s in registry.schedules if s.task == OVERDUE_CHECK_TASK]
    assert schedule.every == timedelta(days=1)
    assert "release.overdue" in EVENT_TYPES


async def test_overdue_releases_are_signalled_once_per_missed_target(api, network, clock,
                                                                     harness):
    stat_a, stat_b = network["a"]["id"], network["b"]["id"]
    late = await api.release(stat_a, "2025-04-15")
    on_time = await api.release(stat_b, "2025-04-15", reference_period="2024-Q4")
    month = await api.release(stat_a, "2025-06", vintage="provisional")
    cancelled = await api.release(stat_a, "2025-04-10", vintage="final")
    assert (await api.cancel(cancelled["id"], "bron vervalt")).status_code == 201

    # 15 April 10:00 Brussels: the target day itself is not overdue yet
    await run_daily_check(harness, clock, datetime(2025, 4, 15, 8, 0, tzinfo=UTC))
    assert (await api.publish(on_time["id"])).status_code == 200
    assert await overdue_events(harness) == []

    # the day after: the unpublished one is overdue (published and cancelled ones are not)
    await run_daily_check(harness, clock, datetime(2025, 4, 16, 8, 0, tzinfo=UTC))
    entity_a = network["a"]["entity_code"]
    assert await overdue_events(harness) == [(late["id"], entity_a, "2025-04-15", 1)]

    # later runs do not repeat it
    await run_daily_check(harness, clock, datetime(2025, 4, 17, 8, 0, tzinfo=UTC))
    assert len(await overdue_events(harness)) == 1

    # rescheduled to a new target that is missed again: a new event for the new target
    assert (await api.reschedule(late["id"], "2025-04-25")).status_code == 201
    await run_daily_check(harness, clock, datetime(2025, 4, 25, 8, 0, tzinfo=UTC))
    assert len(await overdue_events(harness)) == 1
    await run_daily_check(harness, clock, datetime(2025, 4, 28, 8, 0, tzinfo=UTC))
    # a month target is overdue only after the month's last day
    await run_daily_check(harness, clock, datetime(2025, 6, 30, 8, 0, tzinfo=UTC))
    await run_daily_check(harness, clock, datetime(2025, 7, 1, 8, 0, tzinfo=UTC))
    await run_daily_check(harness, clock, datetime(2025, 7, 2, 8, 0, tzinfo=UTC))
    assert await overdue_events(harness) == [
        (late["id"], entity_a, "2025-04-15", 1),
        (late["id"], entity_a, "2025-04-25", 3),
        (month["id"], entity_a, "2025-06", 1),
    ]

    async with harness.sessionmaker() as session:
        jobs = (await session.execute(select(Job.status, Job.last_error).where(
            Job.task == OVERDUE_CHECK_TASK))).all()
    assert len(jobs) == 8  # one per day polled
    assert {tuple(job) for job in jobs} == {("done", None)}


async def test_the_check_itself_is_idempotent_within_a_day(api, network, clock, harness):
    """Two workers (or a retried job) running the check on the same day send one event."""
    await api.release(network["a"]["id"], "2025-04-15")
    clock.set(datetime(2025, 4, 16, 8, 0, tzinfo=UTC))
    for expected in (1, 0):
        async with harness.sessionmaker() as session, session.begin():
            assert await signal_overdue_releases(session, {}, clock) == expected
    assert len(await overdue_events(harness)) == 1
