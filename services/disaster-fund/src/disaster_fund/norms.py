"""Per-phase norms: open dossiers near (`at_risk`) or past (`overdue`) their phase's norm.

Computed in SQL from the maintained turnaround columns (phase entry, paused days in the phase,
open pause start), with the norms of each regime's newest rule-set version.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.service import content_of

_NET_DAYS = """
  (CAST(:today AS date) - (a.phase_entered_at AT TIME ZONE 'Europe/Brussels')::date) - a.phase_paused_days
  - CASE WHEN a.open_pause_started_at IS NULL THEN 0
         ELSE GREATEST(0, CAST(:today AS date) - GREATEST(
                (a.open_pause_started_at AT TIME ZONE 'Europe/Brussels')::date,
                (a.phase_entered_at AT TIME ZONE 'Europe/Brussels')::date))
    END
"""


async def norm_table(session: AsyncSession) -> list[dict]:
    newest: dict[str, RuleSet] = {}
    for rule_set in (await session.scalars(select(RuleSet).order_by(RuleSet.version))).all():
        newest[rule_set.regime] = rule_set  # a handful of rows: the last version wins
    rows = []
    for rule_set in newest.values():
        content = content_of(rule_set)
        for phase, days in content.phase_norms_days.items():
            rows.append({"regime": rule_set.regime, "phase": phase.value, "norm": days,
                         "warn": content.norm_warning_days})
    return rows


def measured_sql(norms: list[dict], today: date, disaster_id=None) -> tuple[str, dict]:
    """The `norms` and `measured` CTEs (net days in the current phase against its norm) of the
    open dossiers, with their parameters."""
    values = ", ".join(f"(CAST(:r{i} AS text), CAST(:p{i} AS text), CAST(:n{i} AS int), "
                       f"CAST(:w{i} AS int))" for i in range(len(norms)))
    params: dict = {"today": today}
    for i, row in enumerate(norms):
        params.update({f"r{i}": row["regime"], f"p{i}": row["phase"], f"n{i}": row["norm"],
                       f"w{i}": row["warn"]})
    disaster_filter = ""
    if disaster_id is not None:
        disaster_filter = "AND a.disaster_id = :disaster_id"
        params["disaster_id"] = disaster_id
    sql = f"""
    WITH norms(regime, phase, norm, warn) AS (VALUES {values}),
    measured AS (
      SELECT a.id AS application_id, a.dossier_number, a.disaster_id, a.state, a.phase,
             a.phase_entered_at, {_NET_DAYS} AS net_days, n.norm, n.warn
      FROM applications a
      JOIN disasters d ON d.id = a.disaster_id
      JOIN norms n ON n.regime = d.regime AND n.phase = a.phase
      WHERE a.completed_on IS NULL AND a.state NOT IN ('withdrawn', 'inadmissible')
        AND a.phase IS NOT NULL {disaster_filter}
    )"""
    return sql, params


def status_condition(status: str) -> str:
    return ("net_days > norm" if status == "overdue"
            else "net_days <= norm AND net_days >= norm - warn")


async def ids_with_status(session: AsyncSession, status: str, today: date):
    """A subquery of the ids of open dossiers with this norm status (for work lists)."""
    norms = await norm_table(session)
    if not norms:
        return None
    cte, params = measured_sql(norms, today)
    return (text(f"{cte} SELECT application_id FROM measured WHERE {status_condition(status)}")
            .bindparams(**params).columns(application_id=UUID(as_uuid=True)).subquery())


async def alerts(session: AsyncSession, status: str, today: date, limit: int, offset: int,
                 disaster_id=None) -> tuple[list[dict], int]:
    norms = await norm_table(session)
    if not norms:
        return [], 0
    cte, params = measured_sql(norms, today, disaster_id)
    params |= {"limit": limit, "offset": offset}
    condition = status_condition(status)
    sql = f"""{cte}
    SELECT *, count(*) OVER () AS total FROM measured WHERE {condition}
    ORDER BY net_days - norm DESC, application_id LIMIT :limit OFFSET :offset
    """
    rows = (await session.execute(text(sql), params)).mappings().all()
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        count_sql = f"{cte} SELECT count(*) FROM measured WHERE {condition}"
        total = int(await session.scalar(text(count_sql), params) or 0)
    return [{**row, "status": status} for row in rows], total
