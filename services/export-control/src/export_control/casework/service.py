"""Casework use cases: (re)assigning the case officer, the filtered list, queues with counts,
and bulk decisions in delegation (fast track only, each case decided and audited on its own)."""

import uuid
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import start_of_day
from dkbuza_kit.db import where_given
from dkbuza_kit.problems import ProblemError
from export_control.applications import decision as decisions
from export_control.applications.models import Application
from export_control.applications.models import GoodsLine
from export_control.applications.models import OpenTurnaroundFigure
from export_control.applications.models import Party
from export_control.applications.schemas import DecisionIn
from export_control.applications.service import get_application
from export_control.applications.service import visible_applications
from export_control.applications.workflow import OPEN_STATES
from export_control.applications.workflow import Status
from export_control.casework.schemas import ApplicationFilters
from export_control.casework.schemas import BulkDecisionIn
from export_control.controllist import parse_control_entry
from export_control.errors import Errors
from export_control.settings import ExportControlSettings

OPEN = sorted(state.value for state in OPEN_STATES)


async def assign(session: AsyncSession, app: Application, officer: str, *, reason: str | None,
                 now: datetime) -> Application:
    before = app.case_officer
    app.case_officer, app.assigned_at = officer, now
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="reassigned" if before else "assigned", reason=reason,
                       data={"from": before, "to": officer})
    return app


def _overdue():
    return exists().where(OpenTurnaroundFigure.application_id == Application.id,
                          OpenTurnaroundFigure.past_max)


def filtered(principal: Principal, f: ApplicationFilters) -> Select:
    """The visible applications matching every given filter (one SQL statement)."""
    stmt = visible_applications(principal)
    stmt = where_given(stmt, (Application.status, f.status), (Application.reference, f.reference),
                       (Application.applicant_org, f.company),
                       (Application.destination_country, f.destination), (Application.track, f.track))
    if f.officer is not None:
        stmt = stmt.where(Application.case_officer == (principal.sub if f.officer == "me"
                                                       else f.officer))
    if f.control_entry is not None:
        entry = parse_control_entry(f.control_entry)
        code = entry.code if entry else f.control_entry
        stmt = stmt.where(exists().where(GoodsLine.application_id == Application.id,
                                         or_(GoodsLine.control_entry == code,
                                             GoodsLine.control_entry.startswith(code + "."))))
    if f.submitted_from is not None:
        stmt = stmt.where(Application.submitted_at >= start_of_day(f.submitted_from))
    if f.submitted_to is not None:
        stmt = stmt.where(Application.submitted_at
                          < start_of_day(f.submitted_to + timedelta(days=1)))
    if f.overdue is not None:
        stmt = stmt.where(_overdue() if f.overdue else ~_overdue())
    if f.q is not None:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(
            Application.reference.ilike(like), Application.applicant_name.ilike(like),
            exists().where(Party.application_id == Application.id,
                           Party.role == "end_user", Party.name.ilike(like))))
    return stmt


async def queues(session: AsyncSession) -> list[dict]:
    """Open cases per track, authority and state, with the overdue count and the most urgent
    case's working days left (from the daily open-turnaround figures)."""
    left = OpenTurnaroundFigure.indicative_max_working_days - OpenTurnaroundFigure.working_days
    rows = await session.execute(
        select(Application.track, Application.decision_authority, Application.status,
               func.count().label("count"),
               func.count().filter(OpenTurnaroundFigure.past_max).label("overdue"),
               func.min(left).label("least_working_days_left"))
        .outerjoin(OpenTurnaroundFigure,
                   OpenTurnaroundFigure.application_id == Application.id)
        .where(Application.status.in_(OPEN))
        .group_by(Application.track, Application.decision_authority, Application.status)
        .order_by(Application.track, Application.decision_authority, Application.status))
    return [dict(row._mapping) for row in rows]


async def _decide_one(session: AsyncSession, app_id: uuid.UUID, body: BulkDecisionIn, *,
                      principal: Principal, settings: ExportControlSettings,
                      now: datetime) -> dict:
    app = await get_application(session, app_id, principal, for_update=True)
    if app.track != "fast" or app.decision_authority != "delegated":
        raise Errors.BULK_DECISION_NOT_FAST_TRACK(
            f"{app.reference}: only fast-track cases in delegation are decided in bulk")
    if app.status != Status.countersigned:
        raise Errors.BULK_DECISION_NOT_FAST_TRACK(f"{app.reference} is {app.status}")
    decision_body = DecisionIn(outcome=body.outcome, conditions=body.conditions,
                               reason=body.reason)
    _, licence = await decisions.decide(session, app, decision_body, principal=principal,
                                        settings=settings, now=now)
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="decided_in_bulk", reason=body.reason)
    return {"application_id": app_id, "decided": True,
            "licence_number": licence.number if licence else None}


async def bulk_decide(session: AsyncSession, body: BulkDecisionIn, *, principal: Principal,
                      settings: ExportControlSettings, now: datetime) -> list[dict]:
    """Each case in its own savepoint: one refused case leaves the others decided."""
    results = []
    for app_id in dict.fromkeys(body.application_ids):
        try:
            async with session.begin_nested():
                results.append(await _decide_one(session, app_id, body, principal=principal,
                                                 settings=settings, now=now))
        except ProblemError as problem:
            results.append({"application_id": app_id, "decided": False, "code": problem.code,
                            "detail": problem.detail})
    return results
