"""Headline KPIs of the planning service (`GET /v1/kpis`), each computed with SQL aggregates.

"The current period" is `reporting.queries.current_period`; the period KPIs report `no_data`
when there is none.
"""

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock, today_brussels
from dkbuza_kit.kpis import Direction, Kpi, KpiPeriod, KpiTargets, KpiUnit, kpi
from planning.audits.service import audit_summary
from planning.indicators.service import average_progress
from planning.plans.filters import InitiativeFilters
from planning.reporting import queries
from planning.reporting.rules import percentage

TARGETS = KpiTargets(Path(__file__).parent / "data" / "kpi_targets.json",
                     "PLANNING_KPI_TARGETS_FILE")


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    now = clock.now()
    today = today_brussels(clock)
    figures: list[Kpi] = []
    current = await queries.current_period(session, today)
    as_of = KpiPeriod.as_of(today)
    period_of_reports = (KpiPeriod.reporting_period(current[0].code, current[0].starts_on,
                                                    current[0].ends_on) if current else as_of)
    if current:
        period, year = current
        completeness = await queries.completeness(session, period)
        distribution = await queries.status_distribution(session, period, year,
                                                         InitiativeFilters(), today)
        healthy = distribution.on_track + distribution.done
        problems = distribution.attention_needed + distribution.action_needed
        breakdown = [{"status": key, "count": getattr(distribution, key)}
                     for key in ("on_track", "attention_needed", "action_needed", "done",
                                 "not_reported")]
        completeness_pct, healthy_pct = (completeness.completeness_pct,
                                         percentage(healthy, distribution.total))
        action_needed = distribution.action_needed
    else:
        completeness_pct = healthy_pct = action_needed = problems = None
        breakdown = None
    figures.append(kpi(
        id="status_reports_complete_pct", title_nl="Volledigheid statusrapportering",
        title_en="Status reports submitted by the deadline", unit=KpiUnit.percent,
        value=completeness_pct, target=TARGETS.get("status_reports_complete_pct"),
        direction=Direction.higher_is_better,
        period=period_of_reports, computed_at=now))
    figures.append(kpi(
        id="initiatives_on_track_pct", title_nl="Initiatieven op schema of afgewerkt",
        title_en="Initiatives on track or done (not reported counts against)", unit=KpiUnit.percent,
        value=healthy_pct, target=TARGETS.get("initiatives_on_track_pct"),
        direction=Direction.higher_is_better,
        period=period_of_reports, computed_at=now, breakdown=breakdown))
    figures.append(kpi(
        id="initiatives_action_needed", title_nl="Initiatieven met actie/bijsturing nodig",
        title_en="Initiatives needing corrective action", unit=KpiUnit.count, value=action_needed,
        target=TARGETS.get("initiatives_action_needed"), direction=Direction.lower_is_better,
        period=period_of_reports, computed_at=now))
    figures.append(kpi(
        id="initiatives_with_problems", title_nl="Initiatieven met vertraging of bijsturing",
        title_en="Initiatives delayed or needing action", unit=KpiUnit.count, value=problems,
        target=None, direction=Direction.lower_is_better, period=period_of_reports, computed_at=now))

    on_time = await queries.on_time_rate(session, None, today)
    figures.append(kpi(
        id="results_achieved_on_time_pct", title_nl="Beoogde resultaten tijdig behaald",
        title_en="Expected results due by now achieved within their due period",
        unit=KpiUnit.percent, value=on_time.on_time_pct,
        target=TARGETS.get("results_achieved_on_time_pct"), direction=Direction.higher_is_better,
        period=as_of, computed_at=now,
        breakdown=[{"due_by_now": on_time.due_by_now, "achieved_on_time": on_time.achieved_on_time,
                    "achieved_late": on_time.achieved_with_due - on_time.achieved_on_time,
                    "open_overdue": on_time.open_overdue}]))
    overdue = await session.scalar(select(func.count()).select_from(
        queries.overdue_query(None, today).order_by(None).subquery()))
    figures.append(kpi(
        id="results_overdue", title_nl="Beoogde resultaten over tijd",
        title_en="Open expected results past their due period", unit=KpiUnit.count,
        value=overdue, target=TARGETS.get("results_overdue"), direction=Direction.lower_is_better,
        period=as_of, computed_at=now))

    audits = await audit_summary(session, today)
    figures.append(kpi(
        id="audit_recommendations_overdue", title_nl="Auditaanbevelingen over tijd",
        title_en="Audit recommendations open past their original target date", unit=KpiUnit.count,
        value=audits.open_overdue if audits.total else None,
        target=TARGETS.get("audit_recommendations_overdue"),
        direction=Direction.lower_is_better, period=as_of, computed_at=now))
    figures.append(kpi(
        id="audit_recommendations_on_time_pct", title_nl="Auditaanbevelingen tijdig opgevolgd",
        title_en="Audit recommendations implemented by the original target date", unit=KpiUnit.percent,
        value=audits.on_time_pct, target=TARGETS.get("audit_recommendations_on_time_pct"),
        direction=Direction.higher_is_better,
        period=as_of, computed_at=now))
    figures.append(kpi(
        id="indicators_average_progress_pct", title_nl="Gemiddelde voortgang indicatoren",
        title_en="Average progress of the indicators towards target", unit=KpiUnit.percent,
        value=await average_progress(session), target=None,
        direction=Direction.higher_is_better, period=as_of, computed_at=now))
    return figures
