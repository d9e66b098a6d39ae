"""The mandatory reports, aggregated in SQL.

- Turnaround (cabinet, per quarter): per track, the number decided, median and P90 working days
  (PostgreSQL `percentile_cont`, i.e. linear interpolation between ranks), the share within
  the indicative maximum, and how many were decided in delegation vs by the minister.
- Parliament (month / half-year): decisions per destination country and category, granted and
  refused, with values and the refusal criteria. Each application counts once per period with
  its latest decision there; licence reissues and revocations are not decisions, so they never
  count as grants.
- Annual (ATT / COARM): the same figures for military goods over a year, plus the exports
  actually written off by customs per destination and military category.
- Dual-use annual data (Regulation (EU) 2021/821, Article 26(2): the member states' data for
  the Commission's annual report): the same figures for dual-use items over a year, plus the
  decisions per authorisation type (individual, global, brokering, technical assistance,
  transit) and Annex I category.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from export_control.procedures.service import counts as procedure_counts
from export_control.reports.periods import Period

TURNAROUND_SQL = text("""
SELECT track,
       count(*) AS decided,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days) AS median_working_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days) AS p90_working_days,
       round(100.0 * count(*) FILTER (WHERE within_max) / count(*), 1) AS within_max_pct,
       max(indicative_max_working_days) AS indicative_max_working_days,
       count(*) FILTER (WHERE authority = 'delegated') AS decided_in_delegation,
       count(*) FILTER (WHERE authority = 'minister') AS decided_by_minister
FROM turnaround_figures
WHERE decided_at >= :start AND decided_at < :end
GROUP BY track
ORDER BY array_position(ARRAY['fast', 'standard', 'complex']::varchar[], track::varchar), track
""")

LATEST_DECISIONS = """
WITH latest AS (
    SELECT DISTINCT ON (d.application_id) d.application_id, d.outcome, d.refusal_criteria
    FROM decisions d JOIN applications a ON a.id = d.application_id
    WHERE d.decided_at >= :start AND d.decided_at < :end
      AND (CAST(:regime AS varchar) IS NULL
           OR (a.application_type LIKE 'military%') = (CAST(:regime AS varchar) = 'military'))
    ORDER BY d.application_id, d.decided_at DESC, d.id DESC
)
"""


def _granted_and_refused_per(column: str, alias: str) -> TextClause:
    """Applications and goods value granted and refused (latest decision) per `column` and
    goods category. `column` is one of this module's constants, never input."""
    return text(LATEST_DECISIONS + f"""
SELECT {column} AS {alias}, g.category,
       count(DISTINCT a.id) FILTER (WHERE l.outcome <> 'refused') AS granted,
       coalesce(sum(g.value_eur) FILTER (WHERE l.outcome <> 'refused'), 0.00) AS granted_value,
       count(DISTINCT a.id) FILTER (WHERE l.outcome = 'refused') AS refused,
       coalesce(sum(g.value_eur) FILTER (WHERE l.outcome = 'refused'), 0.00) AS refused_value
FROM latest l JOIN applications a ON a.id = l.application_id
JOIN goods_lines g ON g.application_id = a.id
GROUP BY {column}, g.category
ORDER BY {column}, g.category
""")


DECISION_ROWS_SQL = _granted_and_refused_per("a.destination_country", "destination_country")

DECISION_TOTALS_SQL = text(LATEST_DECISIONS + """
SELECT count(*) FILTER (WHERE outcome <> 'refused') AS granted,
       count(*) FILTER (WHERE outcome = 'refused') AS refused
FROM latest
""")

CRITERIA_SQL = text(LATEST_DECISIONS + """
SELECT CAST(c.value AS integer) AS criterion, count(*) AS refusals
FROM latest l CROSS JOIN LATERAL jsonb_array_elements_text(l.refusal_criteria) AS c(value)
WHERE l.outcome = 'refused'
GROUP BY 1 ORDER BY 1
""")

DUAL_USE_BY_TYPE_SQL = _granted_and_refused_per("a.application_type", "authorisation_type")

ACTUAL_EXPORTS_SQL = text("""
SELECT lic.destination_country, ll.category,
       coalesce(sum(e.quantity), 0) AS quantity, coalesce(sum(e.value), 0) AS value
FROM ledger_entries e
JOIN licences lic ON lic.id = e.licence_id
JOIN licence_lines ll ON ll.id = e.licence_line_id
WHERE e.created_at >= :start AND e.created_at < :end AND lic.regime = 'military'
GROUP BY lic.destination_country, ll.category
HAVING coalesce(sum(e.value), 0) <> 0 OR coalesce(sum(e.quantity), 0) <> 0
ORDER BY lic.destination_country, ll.category
""")


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(round(value, 2))).normalize()
    return value


async def turnaround_report(session: AsyncSession, period: Period) -> dict[str, Any]:
    rows = (await session.execute(TURNAROUND_SQL, {"start": period.start, "end": period.end})
            ).mappings().all()
    tracks = [{key: _number(value) for key, value in row.items()} for row in rows]
    return {"period": period.label, "tracks": tracks,
            "decided": sum(t["decided"] for t in tracks),
            "decided_in_delegation": sum(t["decided_in_delegation"] for t in tracks),
            "decided_by_minister": sum(t["decided_by_minister"] for t in tracks)}


async def decisions_report(session: AsyncSession, period: Period,
                           regime: str | None = None) -> dict[str, Any]:
    params = {"start": period.start, "end": period.end, "regime": regime}
    rows = (await session.execute(DECISION_ROWS_SQL, params)).mappings().all()
    totals = (await session.execute(DECISION_TOTALS_SQL, params)).mappings().one()
    criteria = (await session.execute(CRITERIA_SQL, params)).mappings().all()
    return {
        "period": period.label,
        "totals": {"granted": totals["granted"], "refused": totals["refused"]},
        "rows": [dict(row) for row in rows],
        "refusal_criteria": [dict(row) for row in criteria],
        # Procedures beside licences closed in the period, per kind and outcome.
        "procedures": await procedure_counts(session, period.first, period.last),
    }


async def annual_report(session: AsyncSession, period: Period) -> dict[str, Any]:
    report = await decisions_report(session, period, regime="military")
    exports = (await session.execute(ACTUAL_EXPORTS_SQL,
                                     {"start": period.start, "end": period.end})
               ).mappings().all()
    report["actual_exports"] = [dict(row) for row in exports]
    return report


async def dual_use_annual_report(session: AsyncSession, period: Period) -> dict[str, Any]:
    report = await decisions_report(session, period, regime="dual_use")
    params = {"start": period.start, "end": period.end, "regime": "dual_use"}
    by_type = (await session.execute(DUAL_USE_BY_TYPE_SQL, params)).mappings().all()
    report["by_authorisation_type"] = [dict(row) for row in by_type]
    report["legal_basis"] = "Regulation (EU) 2021/821, Article 26(2)"
    return report
