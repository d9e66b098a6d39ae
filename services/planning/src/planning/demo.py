"""Demo data: the real 2025 plan, periods 2025-T1/T2, some status reports and two indicators
fed by the disaster fund's KPIs (the worker's `record-indicator-kpis` job). Idempotent.

`python -m planning.demo` (settings from the environment, like the app). The plan file is
`planning/data/ondernemingsplan-2025.txt` (shipped) or `PLANNING_DEMO_PLAN_FILE`; when it is
absent the demo says so and exits successfully.
"""

import asyncio
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker
from planning.indicators.models import Indicator
from planning.plan_import.service import decode_and_parse
from planning.plan_import.service import import_plan
from planning.plan_import.source import default_plan_file
from planning.plans.models import Initiative
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.models import StatusReportEntry
from planning.settings import PlanningSettings

PERIODS = [
    ("2025-T1", date(2025, 1, 1), date(2025, 4, 30), date(2025, 5, 15)),
    ("2025-T2", date(2025, 5, 1), date(2025, 8, 31), date(2025, 9, 15)),
]
# A fixed pattern so that the KPIs show every status.
PATTERN = ["on_track", "on_track", "on_track", "attention_needed", "on_track", "action_needed",
           "on_track", "on_track"]
# The plan's disaster-fund commitment "90% van de aanvragen binnen het jaar na erkenning van de
# ramp afgewerkt" (an expected result of this initiative) as an indicator fed live.
WITHIN_ONE_YEAR = {
    "code": "VRF-90",
    "title": "90% van de aanvragen tot tegemoetkoming binnen het jaar na erkenning van de ramp "
             "afgewerkt",
    "unit": "%", "target": Decimal(90), "direction": "increasing",
    "target_source": "ondernemingsplan 2025, beoogd resultaat: 90% van de aanvragen binnen het "
                     "jaar na de erkenning afgewerkt",
    "source": "disaster-fund:applications_completed_within_1y_pct",
}
WITHIN_ONE_YEAR_INITIATIVE = "AFHANDELEN DOSSIERS TEGEMOETKOMINGEN ERKENDE RAMPEN"
# The section PRESTATIE-INDICATOREN names for rampenschade "de termijn tussen de erkenning van
# een ramp en de uitbetaling van de schade": the disaster fund computes it as a KPI.
RECOGNITION_TO_PAYOUT = {"code": "PI 4.1", "unit": "dagen", "direction": "decreasing",
                         "source": "disaster-fund:recognition_to_payout_median_days"}
TEAMS = {"1": "team-buitenland", "2": "team-ontwikkeling", "3": "team-regering",
         "4": "team-rampenfonds", "5": "team-interne-werking"}


async def load(session: AsyncSession, plan_text: bytes | None, filename: str) -> str:
    plan = await session.scalar(select(Plan).where(Plan.year == 2025))
    if plan is None:
        if plan_text is None:
            return f"plan file {filename} not found: planning demo data skipped"
        report = await import_plan(session, decode_and_parse(plan_text), replace=False,
                                   filename=filename)
        plan = await session.get(Plan, report["plan_id"])
    assert plan is not None
    initiatives = list(await session.scalars(
        select(Initiative).where(Initiative.plan_id == plan.id).order_by(Initiative.id)))
    for initiative in initiatives:
        if initiative.owner_team is None:
            initiative.owner_team = TEAMS.get(initiative.code.split(".")[0])
    periods = {}
    for code, starts, ends, deadline in PERIODS:
        period = await session.scalar(select(ReportingPeriod).where(
            ReportingPeriod.plan_id == plan.id, ReportingPeriod.code == code))
        if period is None:
            period = ReportingPeriod(plan_id=plan.id, code=code, starts_on=starts, ends_on=ends,
                                     report_deadline=deadline, closed=code == "2025-T1",
                                     closed_at=datetime(2025, 5, 31, tzinfo=UTC)
                                     if code == "2025-T1" else None)
            session.add(period)
            await session.flush()
        periods[code] = period
    for code, share in (("2025-T1", 1), ("2025-T2", 2)):
        period = periods[code]
        if await session.scalar(select(StatusReport.id).where(StatusReport.period_id == period.id)
                                .limit(1)):
            continue
        reported_at = datetime.combine(period.report_deadline, datetime.min.time(), UTC)
        for index, initiative in enumerate(initiatives[:: share + 1]):
            status = PATTERN[(index + share) % len(PATTERN)]
            report = StatusReport(
                initiative_id=initiative.id, period_id=period.id, status=status,
                explanation=None if status == "on_track" else "Vertraging bij een partner.",
                corrective_action="Bijsturing van de planning." if status == "action_needed"
                else None, reported_by="demo", first_reported_at=reported_at,
                updated_at=reported_at, corrected=False)
            session.add(report)
            await session.flush()
            session.add(StatusReportEntry(report_id=report.id, kind="submitted", status=status,
                                          explanation=report.explanation,
                                          corrective_action=report.corrective_action,
                                          recorded_by="demo", recorded_at=reported_at))
    await link_live_indicators(session, plan)
    return f"planning demo data ready ({len(initiatives)} initiatives of plan 2025)"


async def link_live_indicators(session: AsyncSession, plan: Plan) -> None:
    """Two indicators fed by the disaster fund's KPIs. The plan gives no baselines, so their
    progress stays unset until a manager fills one in (PATCH /v1/indicators/{id})."""
    payout = await session.scalar(select(Indicator).where(
        Indicator.plan_id == plan.id, Indicator.code == RECOGNITION_TO_PAYOUT["code"]))
    if payout is not None and payout.source == "manual":
        payout.unit = RECOGNITION_TO_PAYOUT["unit"]
        payout.direction = RECOGNITION_TO_PAYOUT["direction"]
        payout.source = RECOGNITION_TO_PAYOUT["source"]
    if await session.scalar(select(Indicator.id).where(
            Indicator.plan_id == plan.id, Indicator.code == WITHIN_ONE_YEAR["code"])):
        return
    initiative = await session.scalar(select(Initiative).where(
        Initiative.plan_id == plan.id, Initiative.title == WITHIN_ONE_YEAR_INITIATIVE))
    field = await session.scalar(select(PolicyField).where(
        PolicyField.plan_id == plan.id, PolicyField.title == "RAMPENSCHADE"))
    session.add(Indicator(
        plan_id=plan.id, **WITHIN_ONE_YEAR, baseline=None,
        initiative_id=initiative.id if initiative else None,
        operational_goal_id=initiative.operational_goal_id if initiative else None,
        policy_field_id=field.id if field else None))
    await session.flush()


async def main() -> None:
    settings = PlanningSettings()
    path = default_plan_file()
    plan_text = path.read_bytes() if path.is_file() else None
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            print(await load(session, plan_text, str(path)))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
