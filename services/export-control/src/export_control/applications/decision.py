"""Decisions on applications: the authority (delegated or minister), the law's gates (embargo,
screening, denial consultation, no-re-export evidence), the licence issued on a grant."""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.statemachine import illegal_transition
from export_control.applications import workflow
from export_control.applications.figures import add_clock_event
from export_control.applications.figures import forget_open_turnaround
from export_control.applications.figures import record_turnaround
from export_control.applications.models import Application
from export_control.applications.models import Decision
from export_control.applications.schemas import DecisionIn
from export_control.applications.workflow import Status
from export_control.embargoes import service as embargoes
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.licences.service import issue_licence
from export_control.licences.validity import licence_validity
from export_control.licences.validity import validity_rules
from export_control.roles import HEAD
from export_control.roles import MINISTER
from export_control.screening import service as screening
from export_control.screening.models import DenialGrantNotification
from export_control.screening.models import DenialNotice
from export_control.settings import ExportControlSettings

GRANTS = ("granted", "granted_with_conditions")


def _decision_authority(app: Application, principal: Principal) -> str:
    if app.status == Status.countersigned:
        if HEAD not in principal.roles:
            raise KitErrors.FORBIDDEN("a delegated decision is taken by csg.head")
        if app.decision_authority == "minister":
            raise Errors.MINISTERIAL_DECISION_REQUIRED("the routing reserves this case to the minister")
        return "delegated"
    if app.status == Status.with_minister:
        if MINISTER not in principal.roles:
            raise KitErrors.FORBIDDEN("this case is with the minister")
        return "minister"
    raise illegal_transition("application", app.status, Status.decided,
                             workflow.APPLICATION_FLOW.allowed(app.status),
                             f"an application that is {app.status} cannot be decided")


def _russia_evidence_missing(app: Application) -> bool:
    """Regulation 833/2014 art. 12g: a flagged case needs the no-re-export-to-Russia evidence
    from the end user (or the consignee) before a licence is issued."""
    if not app.russia_circumvention_flag:
        return False
    return not any(party.no_re_export_to_russia_evidence and party.euc_no_re_export_clause
                   for party in app.parties if party.role in ("end_user", "consignee"))


async def _check_decidable(session: AsyncSession, app: Application, body: DecisionIn,
                           principal: Principal, now: datetime) -> str:
    """The gates before any decision is written; returns the deciding authority."""
    granted = body.outcome.value in GRANTS
    if granted and app.status in (Status.countersigned, Status.with_minister):
        # The law before the routing: refused for every role, whoever holds the case.
        await embargoes.check_grant_allowed(session, app, brussels_date(now))
    authority = _decision_authority(app, principal)
    if app.screening_status in ("pending", "not_screened"):
        raise Errors.SCREENING_PENDING("screening has not run; no decision is possible until it has")
    if app.screening_status == "flagged":
        raise Errors.SCREENING_FLAG_OPEN("a sanctions hit must be cleared by csg.head first")
    if not granted and not body.refusal_criteria:
        raise Errors.REFUSAL_CRITERIA_REQUIRED("a refusal names the criteria (1-8) it rests on")
    if granted and body.refusal_criteria:
        raise Errors.REFUSAL_CRITERIA_ON_GRANT("a grant has no refusal criteria")
    if granted and await screening.open_denial_hits(session, app.id):
        raise Errors.DENIAL_CONSULTATION_REQUIRED(
            "a denial notice of another member state matches a party; record the "
            "consultation with that state before granting")
    if granted and _russia_evidence_missing(app):
        raise Errors.NO_RE_EXPORT_EVIDENCE_REQUIRED(
            "evidence of the no-re-export-to-Russia clause from the end user is needed "
            "before a licence can be issued")
    return authority


async def _notify_grants_despite_denial(session: AsyncSession, app: Application,
                                        decision: Decision, consulted: list,
                                        now: datetime) -> None:
    for hit in consulted:
        notice = await session.get(DenialNotice, hit.denial_notice_id) if hit.denial_notice_id \
            else None
        session.add(DenialGrantNotification(
            application_id=app.id, decision_id=decision.id, denial_notice_id=hit.denial_notice_id,
            notifying_state=notice.notifying_state if notice else "??", created_at=now))
        await emit_event(session, "denial_notice.granted_despite_denial", subject=app.id,
                         data={"decision_id": str(decision.id),
                               "notice_reference": hit.listed_reference,
                               "notifying_state": notice.notifying_state if notice else None})


async def _licence_for(session: AsyncSession, app: Application, decision: Decision,
                       body: DecisionIn, settings: ExportControlSettings,
                       now: datetime) -> Licence:
    valid_from, valid_until = licence_validity(
        app.application_type, decided_on=brussels_date(now), valid_from=body.valid_from,
        valid_until=body.valid_until, default_months=settings.licence_validity_months,
        rules=validity_rules(settings.licence_validity_file))
    return await issue_licence(
        session, app, decision, valid_from=valid_from, valid_until=valid_until,
        conditions=body.conditions,
        control_modes={t.line_no: t.control_mode.value for t in body.line_terms}, now=now)


async def decide(session: AsyncSession, app: Application, body: DecisionIn, *,
                 principal: Principal, settings: ExportControlSettings,
                 now: datetime) -> tuple[Decision, Licence | None]:
    authority = await _check_decidable(session, app, body, principal, now)
    granted = body.outcome.value in GRANTS
    consulted = await screening.consulted_denial_hits(session, app.id) if granted else []
    decision = Decision(id=uuid.uuid4(), application_id=app.id, outcome=body.outcome.value,
                        authority=authority, decided_by=principal.sub, decided_at=now,
                        refusal_criteria=sorted(set(body.refusal_criteria)),
                        conditions=body.conditions, reason=body.reason,
                        granted_despite_denial=bool(consulted))
    session.add(decision)
    before = app.status
    app.status, app.outcome, app.decided_at = Status.decided.value, body.outcome.value, now
    await add_clock_event(session, app, "decided", now)
    await forget_open_turnaround(session, app.id)
    await session.flush()
    await _notify_grants_despite_denial(session, app, decision, consulted, now)
    licence = await _licence_for(session, app, decision, body, settings, now) if granted else None
    await record_turnaround(session, app, decision_at=now)
    await record_audit(session, entity_type="application", entity_id=app.id, action="decided",
                       from_state=before, to_state=Status.decided.value, reason=body.reason,
                       data={"outcome": body.outcome.value, "authority": authority,
                             "refusal_criteria": decision.refusal_criteria,
                             "granted_despite_denial": decision.granted_despite_denial})
    await emit_event(session, "application.decided", subject=app.id, org=app.applicant_org,
                     data={"reference": app.reference, "outcome": body.outcome.value,
                           "authority": authority})
    return decision, licence
