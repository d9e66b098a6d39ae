"""KPIs of the statistics service, computed in SQL aggregates (never by loading the rows).

Headline figures are for the current calendar year (Europe/Brussels); release KPIs carry a
breakdown by entity, periodicity and year of publication. Definitions (see `releases/`):
- TP1: mean days from the end of the reference period to the first published release of a
  statistic for that period; TP2: the same for the release of vintage `final`.
- TP3: mean of actual minus target in days (0 inside a partial target's period), against the
  target current at publication and, strictly, against the first announced target.
- Punctuality rate: share published on or before the (current / first announced) target.
- Overdue: open releases whose target's last day has passed.
- Pre-announcement compliance: share of published releases whose exact day was announced at
  least 28 days before it.
- Self-assessment coverage: statistics on the list with a submitted assessment of the cycle
  (the current year) / statistics on the list; mean score overall and per principle.
- Work-programme execution: completed / actions of the latest fixed version of each work
  programme running this year; actions added after that version are reported apart.
- Open-data share: statistics on the list with at least one open dataset.
- Collaboration projects started this year (target 2, the low end of 2-3 a year).
- RVOS follow-up: share of advice with a response, and the median days to respond.
Where the programme sets no target, none is invented: the KPI reports its value only.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import Kpi
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiTargets
from dkbuza_kit.kpis import KpiUnit
from vsp_statistics.releases.announcement import EXACT_DAY_NOTICE_DAYS

TARGETS = KpiTargets(Path(__file__).parent / "data" / "kpi_targets.json",
                     "STATISTICS_KPI_TARGETS_FILE")

RELEASE_FACTS = text("""
WITH published AS (
    SELECT r.*, s.entity_code, s.periodicity,
           row_number() OVER (PARTITION BY r.statistic_id, r.reference_period
                              ORDER BY r.published_on, r.id) AS first_rank
    FROM releases r JOIN official_statistics s ON s.id = r.statistic_id
    WHERE r.state = 'published'
)
SELECT entity_code, periodicity, extract(year FROM published_on)::int AS year,
       count(*) AS published,
       sum(CASE WHEN published_on > target_last THEN published_on - target_last
                WHEN published_on < target_first THEN published_on - target_first
                ELSE 0 END) AS tp3_sum,
       sum(CASE WHEN published_on > first_announced_last
                     THEN published_on - first_announced_last
                WHEN published_on < first_announced_first
                     THEN published_on - first_announced_first
                ELSE 0 END) AS tp3_strict_sum,
       count(*) FILTER (WHERE published_on <= target_last) AS punctual,
       count(*) FILTER (WHERE published_on <= first_announced_last) AS punctual_strict,
       count(*) FILTER (WHERE first_rank = 1) AS tp1_n,
       sum(published_on - reference_period_end) FILTER (WHERE first_rank = 1) AS tp1_sum,
       count(*) FILTER (WHERE vintage = 'final') AS tp2_n,
       sum(published_on - reference_period_end) FILTER (WHERE vintage = 'final') AS tp2_sum,
       count(*) FILTER (WHERE target_first - exact_day_announced_on >= :notice) AS announced
FROM published
GROUP BY entity_code, periodicity, year
ORDER BY year, entity_code, periodicity
""")

OVERDUE = text("""
SELECT s.entity_code, count(*) AS overdue
FROM releases r JOIN official_statistics s ON s.id = r.statistic_id
WHERE r.state IN ('planned', 'in_review', 'approved') AND r.target_last < :today
GROUP BY s.entity_code ORDER BY s.entity_code
""")

ON_LIST = """
SELECT statistic_id FROM (
    SELECT DISTINCT ON (statistic_id) statistic_id, change FROM vsp_list_changes
    WHERE effective_on <= :today ORDER BY statistic_id, effective_on DESC, id DESC
) latest WHERE change = 'included'
"""

LIST_FIGURES = text(f"""
WITH on_list AS ({ON_LIST})
SELECT (SELECT count(*) FROM on_list) AS on_list,
       (SELECT count(*) FROM on_list l WHERE EXISTS (
            SELECT 1 FROM open_datasets d WHERE d.statistic_id = l.statistic_id)) AS open_data,
       (SELECT count(DISTINCT a.statistic_id) FROM self_assessments a
        JOIN on_list l ON l.statistic_id = a.statistic_id
        WHERE a.state = 'submitted' AND a.cycle = :cycle) AS assessed
""")

SCORES = text("""
SELECT i.principle, avg(x.score) AS mean, count(x.score) AS scores
FROM self_assessment_answers x
JOIN self_assessments a ON a.id = x.assessment_id
JOIN cop_indicators i ON i.catalogue_id = a.catalogue_id AND i.code = x.indicator_code
WHERE a.state = 'submitted' AND a.cycle = :cycle AND x.score IS NOT NULL
GROUP BY ROLLUP (i.principle)
ORDER BY i.principle NULLS FIRST
""")

EXECUTION = text("""
WITH baseline AS (
    SELECT DISTINCT ON (v.work_programme_id) v.work_programme_id, v.id AS version_id, v.number
    FROM work_programme_versions v JOIN work_programmes w ON w.id = v.work_programme_id
    WHERE v.state = 'fixed' AND :year BETWEEN w.start_year AND w.end_year
    ORDER BY v.work_programme_id, v.number DESC
)
SELECT count(*) FILTER (WHERE f.action_id IS NOT NULL) AS fixed_actions,
       count(*) FILTER (WHERE f.action_id IS NOT NULL AND a.state = 'completed') AS fixed_done,
       count(*) FILTER (WHERE f.action_id IS NULL) AS later_actions,
       count(*) FILTER (WHERE f.action_id IS NULL AND a.state = 'completed') AS later_done
FROM baseline b
JOIN work_programme_actions a ON a.work_programme_id = b.work_programme_id
LEFT JOIN work_programme_version_actions f
       ON f.version_id = b.version_id AND f.action_id = a.id
""")

COLLABORATIONS = text("""
SELECT extract(year FROM start_date)::int AS year, count(*) AS started
FROM collaboration_projects GROUP BY year ORDER BY year
""")

RVOS = text("""
SELECT count(*) AS advice, count(responded_on) AS answered,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY responded_on - advised_on) AS median_days
FROM rvos_advice
""")


def _ratio(part: Any, whole: Any, scale: int = 100) -> float | None:
    return round(scale * float(part) / float(whole), 1) if whole else None


def _mean(total: Any, count: Any) -> float | None:
    return round(float(total) / float(count), 1) if count else None


class _Sheet:
    """The KPIs being computed, with the shared period and timestamp."""

    def __init__(self, clock: Clock) -> None:
        self.today = today_brussels(clock)
        self.year = self.today.year
        self.now = clock.now()
        self.period = KpiPeriod.calendar_year(self.year, self.today)
        self.figures: list[Kpi] = []

    def add(self, id_: str, nl: str, en: str, unit: KpiUnit, value: Any, *,
            direction: Direction = Direction.higher_is_better,
            rows: list[dict[str, Any]] | None = None) -> None:
        self.figures.append(TARGETS.kpi(id=id_, title_nl=nl, title_en=en, unit=unit, value=value,
                                        direction=direction,
                                        period=self.period, computed_at=self.now, breakdown=rows))


LOWER = Direction.lower_is_better


async def _timeliness(session: AsyncSession, sheet: _Sheet) -> None:
    """TP1, TP2, TP3 (both variants), punctuality rates and pre-announcement compliance."""
    groups = [dict(row._mapping) for row in
              await session.execute(RELEASE_FACTS, {"notice": EXACT_DAY_NOTICE_DAYS})]
    this_year = [g for g in groups if g["year"] == sheet.year]

    def total(field: str) -> int:
        return sum(int(g[field] or 0) for g in this_year)

    def breakdown(value) -> list[dict[str, Any]]:
        return [{"entity": g["entity_code"], "periodicity": g["periodicity"],
                 "year": g["year"], "value": value(g)} for g in groups]

    means = [("tp1_time_lag_first_results_days", "TP1 tijdigheid eerste resultaten",
              "TP1 time lag of first results", "tp1_sum", "tp1_n"),
             ("tp2_time_lag_final_results_days", "TP2 tijdigheid definitieve resultaten",
              "TP2 time lag of final results", "tp2_sum", "tp2_n"),
             ("tp3_punctuality_days", "TP3 stiptheid (t.o.v. geldende datum)",
              "TP3 punctuality against the current target", "tp3_sum", "published"),
             ("tp3_punctuality_first_announced_days", "TP3 stiptheid (t.o.v. eerst "
              "aangekondigde datum)", "TP3 punctuality against the first announced target",
              "tp3_strict_sum", "published")]
    for id_, nl, en, summed, counted in means:
        sheet.add(id_, nl, en, KpiUnit.days, _mean(total(summed), total(counted)),
                  direction=LOWER,
                  rows=breakdown(lambda g, s=summed, c=counted: _mean(g[s], g[c])))
    shares = [("punctuality_rate_pct", "Aandeel tijdige publicaties",
               "Share of releases on time", "punctual"),
              ("punctuality_rate_first_announced_pct", "Aandeel tijdig t.o.v. eerst "
               "aangekondigde datum", "Share on time against the first announced target",
               "punctual_strict"),
              ("pre_announcement_compliance_pct", "Aandeel met exacte datum minstens 4 weken "
               "vooraf", "Share with the exact date announced at least 28 days ahead",
               "announced")]
    for id_, nl, en, part in shares:
        sheet.add(id_, nl, en, KpiUnit.percent, _ratio(total(part), total("published")),
                  rows=breakdown(lambda g, p=part: _ratio(g[p], g["published"])))


async def _overdue_and_list(session: AsyncSession, sheet: _Sheet) -> None:
    overdue = (await session.execute(OVERDUE, {"today": sheet.today})).all()
    sheet.add("releases_overdue", "Achterstallige publicaties", "Releases overdue",
              KpiUnit.count, sum(row.overdue for row in overdue), direction=LOWER,
              rows=[{"entity": row.entity_code, "value": row.overdue} for row in overdue])
    cycle = str(sheet.year)
    listing = (await session.execute(LIST_FIGURES, {"today": sheet.today,
                                                    "cycle": cycle})).one()
    sheet.add("self_assessment_coverage_pct", "Dekking zelfevaluaties",
              "Self-assessment coverage", KpiUnit.percent,
              _ratio(listing.assessed, listing.on_list))
    scores = (await session.execute(SCORES, {"cycle": cycle})).all()
    overall = next((row for row in scores if row.principle is None), None)
    sheet.add("self_assessment_mean_score", "Gemiddelde score zelfevaluatie",
              "Mean self-assessment score", KpiUnit.score,
              round(float(overall.mean), 2) if overall and overall.mean is not None else None,
              rows=[{"principle": row.principle, "value": round(float(row.mean), 2),
                     "scores": row.scores} for row in scores if row.principle is not None])
    sheet.add("open_data_share_pct", "Aandeel officiële statistieken als open data",
              "Share of official statistics with open data", KpiUnit.percent,
              _ratio(listing.open_data, listing.on_list))


async def _programme(session: AsyncSession, sheet: _Sheet) -> None:
    """Work-programme execution, collaboration projects, RVOS follow-up."""
    execution = (await session.execute(EXECUTION, {"year": sheet.year})).one()
    sheet.add("work_programme_execution_pct", "Uitvoering werkprogramma (vastgelegde versie)",
              "Work-programme execution against the fixed version", KpiUnit.percent,
              _ratio(execution.fixed_done, execution.fixed_actions),
              rows=[{"part": "fixed_version", "actions": execution.fixed_actions,
                     "completed": execution.fixed_done},
                    {"part": "added_later", "actions": execution.later_actions,
                     "completed": execution.later_done}])
    started = {row.year: row.started for row in await session.execute(COLLABORATIONS)}
    sheet.add("collaboration_projects_started", "Gestarte samenwerkingsprojecten",
              "Collaboration projects started", KpiUnit.count, started.get(sheet.year, 0),
              rows=[{"year": y, "value": n} for y, n in sorted(started.items())])
    rvos = (await session.execute(RVOS)).one()
    sheet.add("rvos_advice_followed_up_pct", "Opgevolgde adviezen RVOS",
              "RVOS advice followed up", KpiUnit.percent, _ratio(rvos.answered, rvos.advice))
    sheet.add("rvos_median_response_days", "Mediane antwoordtermijn RVOS-adviezen",
              "Median response time to RVOS advice", KpiUnit.days,
              None if rvos.median_days is None else round(float(rvos.median_days), 1),
              direction=LOWER)


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    sheet = _Sheet(clock)
    for part in (_timeliness, _overdue_and_list, _programme):
        await part(session, sheet)
    return sheet.figures
