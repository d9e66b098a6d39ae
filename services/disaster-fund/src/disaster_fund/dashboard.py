"""The per-disaster dashboard, one SQL aggregate over the dossiers' maintained columns.

submitted = in_progress + completed + withdrawn holds by construction: a dossier is completed
once (completion is never undone), withdrawn when withdrawn before completion, else in progress.
"""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.disasters.models import Disaster
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.types import Money

AT_RISK_DAYS = 60

DASHBOARD_SQL = text("""
SELECT
  count(*) AS submitted,
  count(*) FILTER (WHERE completed_on IS NULL AND state <> 'withdrawn') AS in_progress,
  count(*) FILTER (WHERE completed_on IS NOT NULL) AS completed,
  count(*) FILTER (WHERE completion_kind = 'paid') AS completed_paid,
  count(*) FILTER (WHERE completion_kind = 'rejected') AS completed_rejected,
  count(*) FILTER (WHERE completion_kind = 'inadmissible') AS completed_inadmissible,
  count(*) FILTER (WHERE completed_on IS NULL AND state = 'withdrawn') AS withdrawn,
  count(*) FILTER (WHERE completed_on_time) AS completed_on_time,
  count(*) FILTER (WHERE is_late) AS late_applications,
  avg(lead_gross_days) AS avg_gross, avg(lead_net_days) AS avg_net,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_gross_days) AS median_gross,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_net_days) AS median_net,
  coalesce(sum(decided_amount), 0) AS amount_decided,
  coalesce(sum(paid_amount), 0) AS amount_paid_gross,
  coalesce(sum(recovered_amount), 0) AS amount_recovered
FROM applications WHERE disaster_id = :disaster_id
""")


class PhaseFigures(BaseModel):
    phase: str
    completed_spans: int
    gross_avg_days: float | None
    net_avg_days: float | None


class Dashboard(BaseModel):
    disaster_id: uuid.UUID
    reference: str
    title: str
    state: str
    publication_date: date | None
    one_year_mark: date | None
    computed_at: datetime
    submitted: int
    in_progress: int
    completed: int
    completed_paid: int
    completed_rejected: int
    completed_inadmissible: int
    withdrawn: int
    late_applications: int
    completed_on_time: int
    on_time_pct: float | None
    at_risk: int
    lead_time_gross_avg_days: float | None
    lead_time_gross_median_days: float | None
    lead_time_net_avg_days: float | None
    lead_time_net_median_days: float | None
    amount_decided: Money
    amount_paid_gross: Money
    amount_recovered: Money
    amount_paid_net: Money
    phases: list[PhaseFigures] = []


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


async def compute(session: AsyncSession, disaster: Disaster, clock: Clock) -> Dashboard:
    row = (await session.execute(DASHBOARD_SQL, {"disaster_id": disaster.id})).mappings().one()
    today = today_brussels(clock)
    mark = None
    if disaster.publication_date is not None:
        from disaster_fund.deadlines import one_year_mark

        mark = one_year_mark(disaster.publication_date)
    at_risk = row["in_progress"] if mark is not None and 0 <= (mark - today).days < AT_RISK_DAYS else 0
    denominator = row["submitted"] - row["withdrawn"]
    paid_gross = Decimal(row["amount_paid_gross"])
    recovered = Decimal(row["amount_recovered"])
    phase_rows = (await session.execute(text(
        "SELECT phase, spans, gross_days_sum, net_days_sum FROM phase_duration_stats "
        "WHERE disaster_id = :disaster_id ORDER BY phase"), {"disaster_id": disaster.id})).all()
    phases = [PhaseFigures(phase=phase, completed_spans=spans,
                           gross_avg_days=_round(gross / spans) if spans else None,
                           net_avg_days=_round(net / spans) if spans else None)
              for phase, spans, gross, net in phase_rows]
    return Dashboard(
        phases=phases,
        disaster_id=disaster.id, reference=disaster.reference, title=disaster.title,
        state=disaster.state, publication_date=disaster.publication_date, one_year_mark=mark,
        computed_at=clock.now(),
        submitted=row["submitted"], in_progress=row["in_progress"], completed=row["completed"],
        completed_paid=row["completed_paid"], completed_rejected=row["completed_rejected"],
        completed_inadmissible=row["completed_inadmissible"], withdrawn=row["withdrawn"],
        late_applications=row["late_applications"], completed_on_time=row["completed_on_time"],
        on_time_pct=round(100 * row["completed_on_time"] / denominator, 1) if denominator else None,
        at_risk=at_risk,
        lead_time_gross_avg_days=_round(row["avg_gross"]),
        lead_time_gross_median_days=_round(row["median_gross"]),
        lead_time_net_avg_days=_round(row["avg_net"]),
        lead_time_net_median_days=_round(row["median_net"]),
        amount_decided=Decimal(row["amount_decided"]), amount_paid_gross=paid_gross,
        amount_recovered=recovered, amount_paid_net=paid_gross - recovered,
    )
