"""Generic lifecycle steps requested by clients (POST /transitions) and bulk assignment."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import roles
from disaster_fund.applications.appeals import ensure_no_open_appeal
from disaster_fund.applications.decisions import notify_decision
from disaster_fund.applications.lifecycle import A
from disaster_fund.applications.lifecycle import change_state
from disaster_fund.applications.lifecycle import complete
from disaster_fund.applications.lifecycle import lock_in_order
from disaster_fund.applications.models import Application
from disaster_fund.applications.queries import current_decision
from disaster_fund.applications.queries import get
from disaster_fund.applications.queries import latest_report
from disaster_fund.applications.schemas import ApplicationTransitionIn
from disaster_fund.documents.checklist import ensure_complete as ensure_required_documents
from disaster_fund.errors import Errors
from disaster_fund.numbering import next_number
from disaster_fund.workflow import GENERIC_APPLICATION_TARGETS
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import ensure_application_transition
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import Bound
from dkbuza_kit.timeline import check_timeline

_APPLICANT_TARGETS = {A.report_accepted, A.report_contested, A.withdrawn}


def _is_applicant(principal: Principal, application: Application) -> bool:
    if principal.has_any(roles.MUNICIPALITY) and application.applicant_org:
        return application.applicant_org == principal.org
    return application.applicant_sub == principal.sub


async def transition(session: AsyncSession, application: Application,
                     body: ApplicationTransitionIn, principal: Principal, clock: Clock) -> None:
    target = body.to_state
    if target not in GENERIC_APPLICATION_TARGETS:
        raise illegal_transition(
            "application", application.state, target,
            detail=f"{target.value} is reached through its own resource "
            "(expert report, decision, appeal or payment)")
    staff = principal.has_any(*roles.STAFF)
    if not staff and not (target in _APPLICANT_TARGETS and _is_applicant(principal, application)):
        raise KitErrors.FORBIDDEN(f"your role cannot move a dossier to {target.value}")
    ensure_application_transition(ApplicationState(application.state), target)
    now = clock.now()
    on = await _step_date(session, application, body, now)
    data = await _apply_step(session, application, body, principal, now, on)
    await change_state(session, application, target, actor=principal.sub, at=now,
                       reason=body.reason, data=data or None)


async def _step_date(session: AsyncSession, application: Application,
                     body: ApplicationTransitionIn, now: datetime) -> date:
    """The date a step happened (inadmissibility notified, decision received): not in the
    future, not before the dossier's receipt, a decision not received before it was taken."""
    follows: list[Bound] = [("received_on", application.received_on)]
    if body.to_state is A.decision_notified:
        decision = await current_decision(session, application)
        follows.append(("decided_at", brussels_date(decision.decided_at)))
    check_timeline("on", body.on, now=now, follows=follows)
    return body.on or brussels_date(now)


async def _apply_step(session: AsyncSession, application: Application,
                      body: ApplicationTransitionIn, principal: Principal, now: datetime,
                      on: date) -> dict:
    target = body.to_state
    data: dict = {}
    match target:
        case A.intake:
            await ensure_required_documents(session, application)
            application.handler_sub = body.handler_sub or application.handler_sub or principal.sub
            if application.dossier_number is None:
                application.dossier_number = await next_number(session, "VRF", brussels_date(now).year)
            data = {"handler_sub": application.handler_sub}
        case A.expert_assigned:
            if not body.expert_sub:
                raise Errors.EXPERT_REQUIRED("expert_sub is required")
            application.expert_sub = body.expert_sub
            data = {"expert_sub": body.expert_sub}
        case A.inadmissible:
            if not (body.reason or "").strip():
                raise Errors.REASON_REQUIRED("a reason is required")
            complete(application, "inadmissible", on)
        case A.report_accepted | A.report_contested:
            report = await latest_report(session, application.id)
            if report is None:
                raise Errors.NO_EXPERT_REPORT("the dossier has no expert report")
            report.reaction = "accepted" if target is A.report_accepted else "contested"
            report.reacted_at = now
            if target is A.report_accepted:
                application.assessed_amount = report.assessed_amount
        case A.decision_notified:
            await notify_decision(session, application, on)
        case A.final:
            await ensure_no_open_appeal(session, application)
        case A.withdrawn | A.rectifying | A.waiting_for_documents:
            if target is A.withdrawn and not (body.reason or "").strip():
                raise Errors.REASON_REQUIRED("a reason is required")
    return data


async def bulk_assign_expert(session: AsyncSession, ids: list[uuid.UUID], expert_sub: str,
                             principal: Principal, clock: Clock) -> list[dict]:
    results = []
    await lock_in_order(session, ids)
    for application_id in dict.fromkeys(ids):
        try:
            async with session.begin_nested():
                application = await get(session, application_id, principal, for_update=True)
                await transition(session, application, ApplicationTransitionIn(
                    to_state=A.expert_assigned, expert_sub=expert_sub), principal, clock)
        except ProblemError as problem:
            results.append({"application_id": application_id, "ok": False, "code": problem.code,
                            "detail": problem.detail})
        else:
            results.append({"application_id": application_id, "ok": True})
    return results
