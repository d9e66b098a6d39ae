"""Headline KPIs of the planning service (`GET /v1/kpis`): one function per KPI over shared SQL.

"The current period" is `reporting.queries.current_period`; the period KPIs report `no_data`
when there is none.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import Kpi
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiTargets
from dkbuza_kit.kpis import KpiUnit
from planning.audits.schemas import AuditSummary
from planning.audits.service import audit_summary
from planning.indicators.service import average_progress
from planning.plans.filters import InitiativeFilters
from planning.reporting import queries
from planning.reporting.rules import percentage
from planning.reporting.schemas import Completeness
from planning.reporting.schemas import Distribution
from planning.reporting.schemas import OnTimeRate

TARGETS = KpiTargets(Path(__file__).parent / "data" / "kpi_targets.json",
                     "PLANNING_KPI_TARGETS_FILE")
STATUSES = ("on_track", "attention_needed", "action_needed", "done", "not_reported")


@dataclass
class Figures:
    """What the KPIs are computed from, read once per call."""

    now: datetime
    today: date
    period: KpiPeriod  # of the current reporting period, else "as of today"
    completeness: Completeness | None
    distribution: Distribution | None
    on_time: OnTimeRate
    overdue: int
    audits: AuditSummary

    @property
    def as_of(self) -> KpiPeriod:
        return KpiPeriod.as_of(self.today)


async def read_figures(session: AsyncSession, clock: Clock) -> Figures:
    today = today_brussels(clock)
    current = await queries.current_period(session, today)
    completeness = distribution = None
    period = KpiPeriod.as_of(today)
    if current:
        reporting_period, year = current
        period = KpiPeriod.reporting_period(reporting_period.code, reporting_period.starts_on,
                                            reporting_period.ends_on)
        completeness = await queries.completeness(session, reporting_period)
        distribution = await queries.status_distribution(session, reporting_period, year,
                                                         InitiativeFilters(), today)
    overdue = await session.scalar(select(func.count()).select_from(
        queries.overdue_query(None, today).order_by(None).subquery()))
    return Figures(now=clock.now(), today=today, period=period, completeness=completeness,
                   distribution=distribution, on_time=await queries.on_time_rate(session, None, today),
                   overdue=int(overdue or 0), audits=await audit_summary(session, today))


def reports_complete(f: Figures) -> Kpi:
    return TARGETS.kpi(id="status_reports_complete_pct", title_nl="Volledigheid statusrapportering",
                       title_en="Status reports submitted by the deadline", unit=KpiUnit.percent,
                       value=f.completeness.completeness_pct if f.completeness else None,
                       direction=Direction.higher_is_better, period=f.period, computed_at=f.now)


def on_track(f: Figures) -> Kpi:
    d = f.distribution
    return TARGETS.kpi(id="initiatives_on_track_pct", title_nl="Initiatieven op schema of afgewerkt",
                       title_en="Initiatives on track or done (not reported counts against)",
                       unit=KpiUnit.percent,
                       value=percentage(d.on_track + d.done, d.total) if d else None,
                       direction=Direction.higher_is_better, period=f.period, computed_at=f.now,
                       breakdown=[{"status": s, "count": getattr(d, s)} for s in STATUSES] if d else None)


def action_needed(f: Figures) -> Kpi:
    return TARGETS.kpi(id="initiatives_action_needed", title_nl="Initiatieven met actie/bijsturing nodig",
                       title_en="Initiatives needing corrective action", unit=KpiUnit.count,
                       value=f.distribution.action_needed if f.distribution else None,
                       direction=Direction.lower_is_better, period=f.period, computed_at=f.now)


def with_problems(f: Figures) -> Kpi:
    d = f.distribution
    return TARGETS.kpi(id="initiatives_with_problems", title_nl="Initiatieven met vertraging of bijsturing",
                       title_en="Initiatives delayed or needing action", unit=KpiUnit.count,
                       value=d.attention_needed + d.action_needed if d else None,
                       direction=Direction.lower_is_better, period=f.period, computed_at=f.now)


def results_on_time(f: Figures) -> Kpi:
    o = f.on_time
    return TARGETS.kpi(id="results_achieved_on_time_pct", title_nl="Beoogde resultaten tijdig behaald",
                       title_en="Expected results due by now achieved within their due period",
                       unit=KpiUnit.percent, value=o.on_time_pct,
                       direction=Direction.higher_is_better, period=f.as_of, computed_at=f.now,
                       breakdown=[{"due_by_now": o.due_by_now, "achieved_on_time": o.achieved_on_time,
                           "achieved_late": o.achieved_with_due - o.achieved_on_time,
                           "open_overdue": o.open_overdue}])


def results_overdue(f: Figures) -> Kpi:
    return TARGETS.kpi(id="results_overdue", title_nl="Beoogde resultaten over tijd",
                       title_en="Open expected results past their due period", unit=KpiUnit.count,
                       value=f.overdue,
                       direction=Direction.lower_is_better, period=f.as_of, computed_at=f.now)


def audits_overdue(f: Figures) -> Kpi:
    return TARGETS.kpi(id="audit_recommendations_overdue", title_nl="Auditaanbevelingen over tijd",
                       title_en="Audit recommendations open past their original target date",
                       unit=KpiUnit.count, value=f.audits.open_overdue if f.audits.total else None,
                       direction=Direction.lower_is_better, period=f.as_of, computed_at=f.now)


def audits_on_time(f: Figures) -> Kpi:
    return TARGETS.kpi(id="audit_recommendations_on_time_pct",
                       title_nl="Auditaanbevelingen tijdig opgevolgd",
                       title_en="Audit recommendations implemented by the original target date",
                       unit=KpiUnit.percent, value=f.audits.on_time_pct,
                       direction=Direction.higher_is_better, period=f.as_of, computed_at=f.now)


FIGURE_KPIS = (reports_complete, on_track, action_needed, with_problems, results_on_time,
               results_overdue, audits_overdue, audits_on_time)


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    figures = await read_figures(session, clock)
    indicators = TARGETS.kpi(
        id="indicators_average_progress_pct", title_nl="Gemiddelde voortgang indicatoren",
        title_en="Average progress of the indicators towards target", unit=KpiUnit.percent,
        value=await average_progress(session),
        direction=Direction.higher_is_better, period=figures.as_of, computed_at=figures.now)
    return [*(build(figures) for build in FIGURE_KPIS), indicators]
