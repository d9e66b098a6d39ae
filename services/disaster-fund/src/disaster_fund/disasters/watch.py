"""Recognition under watch: norms per recognition phase, the backlog of events past their norm,
damage reports aggregated per municipality next to the financial criterion, and the time from
publication to the last dossier completed.

Disasters are few (tens a year), so the per-disaster work here is a loop over a short list; the
applications are read through their per-disaster index only.
"""

from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.disasters.models import AdviceRequest
from disaster_fund.disasters.models import Disaster
from disaster_fund.rules import service as rules
from disaster_fund.workflow import RECOGNITION_PHASES
from disaster_fund.workflow import DisasterState
from dkbuza_kit.calendar import brussels_date

S = DisasterState


def phase_entered_on(disaster: Disaster, first_advice_requested: date | None) -> date:
    """When the disaster entered its current recognition phase (the recorded step date)."""
    recorded = {
        S.reporting: disaster.event_end,
        S.investigation: disaster.investigation_started_on,
        S.awaiting_advice: first_advice_requested,
        S.assessed: disaster.assessed_on,
        S.submitted_to_government: disaster.submitted_to_government_on,
        S.recognised: disaster.recognition_decision_date,
    }.get(DisasterState(disaster.state))
    return recorded or brussels_date(disaster.state_changed_at)


async def recognition_phases(session: AsyncSession, today: date) -> list[dict]:
    """Every disaster still in its recognition procedure, with days in phase and the norm."""
    first_advice = (select(AdviceRequest.disaster_id,
                           func.min(AdviceRequest.requested_on).label("first"))
                    .group_by(AdviceRequest.disaster_id).subquery())
    rows = (await session.execute(
        select(Disaster, first_advice.c.first)
        .outerjoin(first_advice, first_advice.c.disaster_id == Disaster.id)
        .where(Disaster.state.in_([s.value for s in RECOGNITION_PHASES]))
        .order_by(Disaster.event_start, Disaster.id))).all()
    result = []
    for disaster, first in rows:
        content = rules.content_of(await rules.current_for_event(session, disaster.event_start))
        norm = content.recognition_norms_days.get(disaster.state)
        entered = phase_entered_on(disaster, first)
        days = (today - entered).days
        result.append({
            "disaster_id": disaster.id, "reference": disaster.reference, "title": disaster.title,
            "state": disaster.state, "phase_entered_on": entered, "days_in_phase": days,
            "norm_days": norm, "working_value": "recognition_norms_days" in content.working_values,
            "status": "no_norm" if norm is None else "overdue" if days > norm else "ok"})
    return result


async def damage_report_summary(session: AsyncSession, disaster: Disaster) -> dict:
    """Damage reports per municipality (count, estimated amounts) next to the financial
    criterion the assessment measured."""
    rows = (await session.execute(text("""
        SELECT municipality_nis, count(*) AS reports,
               count(estimated_amount) AS with_estimate,
               coalesce(sum(estimated_amount), 0) AS estimated_total
        FROM damage_reports WHERE disaster_id = :id
        GROUP BY municipality_nis ORDER BY municipality_nis"""), {"id": disaster.id})).mappings()
    municipalities = [dict(row) for row in rows]
    financial = [c for c in (disaster.criteria or []) if c.get("kind") == "financial"]
    return {
        "disaster_id": disaster.id, "reference": disaster.reference,
        "municipalities": municipalities,
        "reports": sum(m["reports"] for m in municipalities),
        "estimated_total": sum((m["estimated_total"] for m in municipalities), 0),
        "financial_criteria": financial,
    }


async def publication_to_last_dossier(session: AsyncSession) -> list[dict]:
    """Per published disaster whose dossiers are all completed or withdrawn: days from the
    publication to the last completion (the stats tell which disasters have none open)."""
    rows = (await session.execute(text("""
        WITH done AS (
          SELECT disaster_id FROM disaster_application_stats GROUP BY disaster_id
          HAVING sum(submitted) - sum(withdrawn) - sum(completed) = 0 AND sum(completed) > 0)
        SELECT d.id, d.reference, d.publication_date,
               (SELECT max(a.completed_on) FROM applications a
                WHERE a.disaster_id = d.id) AS last_completed_on
        FROM disasters d JOIN done ON done.disaster_id = d.id
        WHERE d.publication_date IS NOT NULL ORDER BY d.publication_date, d.reference"""))
    ).mappings().all()
    return [{"disaster_id": str(r["id"]), "reference": r["reference"],
             "days": (r["last_completed_on"] - r["publication_date"]).days}
            for r in rows if r["last_completed_on"] is not None]
