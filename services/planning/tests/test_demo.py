"""The demo loads the real plan, periods and reports, and a second run changes nothing."""

from sqlalchemy import func
from sqlalchemy import select

from planning.demo import load
from planning.plan_import.source import default_plan_file
from planning.plans.models import Initiative
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport


async def counts(harness):
    async with harness.sessionmaker() as session:
        return [await session.scalar(select(func.count()).select_from(model))
                for model in (Initiative, ReportingPeriod, StatusReport)]


async def test_demo_is_idempotent_and_skips_without_file(client, harness):
    data = default_plan_file().read_bytes()
    for _ in range(2):
        async with harness.sessionmaker() as session, session.begin():
            await load(session, data, "ondernemingsplan-2025.txt")
    initiatives, periods, reports = await counts(harness)
    assert (initiatives, periods) == (173, 2) and reports > 0
    first = await counts(harness)
    async with harness.sessionmaker() as session, session.begin():
        await load(session, data, "ondernemingsplan-2025.txt")
    assert await counts(harness) == first

    await harness.reset()
    async with harness.sessionmaker() as session, session.begin():
        message = await load(session, None, "/nowhere/plan.txt")
    assert "skipped" in message
    assert (await counts(harness))[0] == 0
