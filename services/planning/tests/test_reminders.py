"""Reminders before a period closes (issue 16, point 3): a `period.reminder` event per team with
unreported initiatives, from `reminder_days_before_deadline` days before the deadline, once."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from small_plan import report
from sqlalchemy import select

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import enqueue_schedules
from dkbuza_kit.jobs import run_due_jobs
from dkbuza_kit.models import OutboxEvent
from planning import worker
from planning.reporting.reminders import in_reminder_window
from planning.settings import PlanningSettings


@pytest.mark.parametrize(("today", "expected"), [
    (date(2030, 5, 9), False),   # 6 days before the deadline of 2030-05-15
    (date(2030, 5, 10), True),   # 5 days before
    (date(2030, 5, 15), True),   # the deadline itself
    (date(2030, 5, 16), False),  # past: too late for a reminder
])
def test_reminder_window(today, expected):
    assert in_reminder_window(date(2030, 5, 15), today, 5) is expected


async def reminders(harness) -> list[dict]:
    async with harness.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxEvent).where(
            OutboxEvent.type == "period.reminder").order_by(OutboxEvent.id))).all()
    return [row.data for row in rows]


async def test_teams_that_have_not_reported_are_reminded_once(client, harness, plan):
    t1 = plan["periods"]["2030-T1"]  # deadline 2030-05-15
    await report(client, plan["manager"], plan["ini"]["1.1-01"], t1, "on_track")
    settings = PlanningSettings(database_url=harness.database_url, kpi_token="t",
                                gateway_url="http://gateway.test")
    registry = worker.build_registry(lambda: settings)
    registry.tasks.pop(worker.INDICATOR_KPIS_TASK)
    registry.schedules = [s for s in registry.schedules if s.task != worker.INDICATOR_KPIS_TASK]
    for moment in (datetime(2030, 5, 8, 9, tzinfo=UTC), datetime(2030, 5, 11, 9, tzinfo=UTC),
                   datetime(2030, 5, 12, 9, tzinfo=UTC)):
        clock = FixedClock(moment)
        await enqueue_schedules(harness.sessionmaker, registry, clock)
        await run_due_jobs(harness.sessionmaker, registry, clock)
    sent = await reminders(harness)
    assert sorted((r["period"], r["team"], tuple(r["initiatives"])) for r in sent) == [
        ("2030-T1", "team-a", ("1.1-02", "1.2-01")), ("2030-T1", "team-b", ("2.1-01",))]
