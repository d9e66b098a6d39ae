"""KPIs of the export-control service, computed in SQL aggregates.

Turnaround KPIs cover decisions of the last 365 days (from `turnaround_figures`, derived from
the event table); the backlog and overdue reports are counted now; open applications past
their track's indicative maximum come from the daily `open_turnaround_figures`.
"""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import Kpi
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiTargets
from dkbuza_kit.kpis import KpiUnit

ROLLING_DAYS = 365
TARGETS = KpiTargets(Path(__file__).parent / "data" / "kpi_targets.json",
                     "EXPORT_CONTROL_KPI_TARGETS_FILE")

TURNAROUND_SQL = text("""
SELECT track,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days) AS median,
       100.0 * count(*) FILTER (WHERE within_max) / NULLIF(count(*), 0) AS within_pct,
       100.0 * count(*) FILTER (WHERE authority = 'delegated') / NULLIF(count(*), 0) AS delegated_pct,
       count(*) AS decided
FROM turnaround_figures WHERE decided_at >= :since
GROUP BY ROLLUP (track) ORDER BY track NULLS LAST
""")

BACKLOG_SQL = text("""
SELECT CASE WHEN age < 30 THEN '0-29' WHEN age < 60 THEN '30-59'
            WHEN age < 90 THEN '60-89' ELSE '90+' END AS age_days, count(*) AS open
FROM (SELECT CAST(:today AS date) - CAST(timezone('Europe/Brussels', submitted_at) AS date) AS age
      FROM applications
      WHERE status NOT IN ('draft', 'decided', 'withdrawn') AND submitted_at IS NOT NULL) s
GROUP BY 1 ORDER BY 1
""")

# From the figures the daily `open-turnaround` job stores; the join keeps a case decided since
# the last run out even if its row were still there.
OPEN_PAST_MAX_SQL = text("""
SELECT f.track, count(*) FILTER (WHERE f.past_max) AS past_max, count(*) AS open,
       min(f.as_of) AS as_of
FROM open_turnaround_figures f
JOIN applications a ON a.id = f.application_id
WHERE a.status NOT IN ('draft', 'decided', 'withdrawn')
GROUP BY ROLLUP (f.track) ORDER BY f.track NULLS LAST
""")

OVERDUE_SQL = text("""
SELECT count(*) FROM report_obligations WHERE status IN ('overdue', 'escalated')
""")


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    now = clock.now()
    today = today_brussels(clock)
    rolling = KpiPeriod.rolling(today - timedelta(days=ROLLING_DAYS - 1), today,
                                f"{ROLLING_DAYS} dagen tot {today.isoformat()}")
    rows = (await session.execute(TURNAROUND_SQL, {"since": now - timedelta(days=ROLLING_DAYS)})
            ).mappings().all()
    overall = next((r for r in rows if r["track"] is None and r["decided"]), None)
    per_track = [r for r in rows if r["track"] is not None]

    def breakdown(field: str) -> list[dict]:
        return [{"track": r["track"], "value": round(float(r[field]), 1),
                 "decided": r["decided"]} for r in per_track]

    backlog = (await session.execute(BACKLOG_SQL, {"today": today})).mappings().all()
    overdue = await session.scalar(OVERDUE_SQL)
    open_rows = (await session.execute(OPEN_PAST_MAX_SQL)).mappings().all()
    open_total = next((r for r in open_rows if r["track"] is None), None)
    figures_as_of = open_total["as_of"] if open_total else None
    common = {"period": rolling, "computed_at": now}
    return [
        TARGETS.kpi(id="median_turnaround_working_days", title_nl="Mediane doorlooptijd (werkdagen)",
                    title_en="Median turnaround (working days)", unit=KpiUnit.working_days,
                    value=overall["median"] if overall else None,
                    direction=Direction.lower_is_better, breakdown=breakdown("median"), **common),
        TARGETS.kpi(id="decided_within_indicative_max_pct",
                    title_nl="Beslist binnen de indicatieve maximumtermijn",
                    title_en="Decided within the indicative maximum", unit=KpiUnit.percent,
                    value=overall["within_pct"] if overall else None,
                    direction=Direction.higher_is_better, breakdown=breakdown("within_pct"), **common),
        TARGETS.kpi(id="decided_in_delegation_pct", title_nl="Aandeel beslist in delegatie",
                    title_en="Share decided in delegation", unit=KpiUnit.percent,
                    value=overall["delegated_pct"] if overall else None,
                    direction=Direction.higher_is_better, breakdown=breakdown("delegated_pct"), **common),
        TARGETS.kpi(id="open_backlog", title_nl="Openstaande aanvragen", title_en="Open applications",
                    unit=KpiUnit.count, value=sum(r["open"] for r in backlog),
                    direction=Direction.lower_is_better, period=KpiPeriod.as_of(today), computed_at=now,
                    breakdown=[dict(r) for r in backlog]),
        TARGETS.kpi(id="overdue_transaction_reports", title_nl="Laattijdige transactierapporten",
                    title_en="Overdue transaction reports", unit=KpiUnit.count, value=overdue or 0,
                    direction=Direction.lower_is_better,
                    period=KpiPeriod.as_of(today), computed_at=now),
        TARGETS.kpi(id="open_past_indicative_max",
                    title_nl="Openstaande aanvragen over de indicatieve termijn",
                    title_en="Open applications past their track's indicative maximum",
                    unit=KpiUnit.count, value=open_total["past_max"] if open_total else 0,
                    direction=Direction.lower_is_better,
                    period=KpiPeriod.as_of(figures_as_of or today),
                    computed_at=now,
                    breakdown=[{"track": r["track"], "value": r["past_max"], "open": r["open"]}
                       for r in open_rows if r["track"] is not None]),
    ]
