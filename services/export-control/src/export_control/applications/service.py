"""Use cases of applications: drafts, the transition table, information requests, advice,
decisions (delegated or ministerial), reopening, and the turnaround clock."""

import uuid
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.db import one_or_404
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import check_timeline
from export_control.applications import workflow
from export_control.applications.figures import add_clock_event
from export_control.applications.figures import forget_open_turnaround
from export_control.applications.models import Advice
from export_control.applications.models import Application
from export_control.applications.models import GoodsLine
from export_control.applications.models import InformationRequest
from export_control.applications.models import Party
from export_control.applications.models import ReferenceCounter
from export_control.applications.schemas import AdviceIn
from export_control.applications.schemas import ApplicationIn
from export_control.applications.schemas import InformationRequestIn
from export_control.applications.workflow import Status
from export_control.controllist import DUAL_USE
from export_control.controllist import MILITARY
from export_control.controllist import normalise_control_entry
from export_control.documents.checklist import ensure_complete as ensure_required_documents
from export_control.errors import Errors
from export_control.licences.service import suspend_on_reopen
from export_control.roles import org_scope
from export_control.roles import scoped_select
from export_control.routing.service import route_application
from export_control.screening import service as screening
from export_control.settings import ExportControlSettings

# ---------------------------------------------------------------- reading

def visible_applications(principal: Principal) -> Select:
    return scoped_select(Application, Application.applicant_org, principal)


async def get_application(session: AsyncSession, app_id: uuid.UUID, principal: Principal, *,
                          for_update: bool = False) -> Application:
    return await one_or_404(session, visible_applications(principal)
                            .where(Application.id == app_id), what="application",
                            for_update=for_update)


# ---------------------------------------------------------------- drafts

def lines_and_parties(body: ApplicationIn,
                       now: datetime) -> tuple[list[GoodsLine], list[Party]]:
    regime = MILITARY if body.application_type.value.startswith("military") else DUAL_USE
    lines, mismatched = [], []
    for number, line in enumerate(body.lines, start=1):
        entry = normalise_control_entry(line.control_entry)
        if entry.regime != regime:
            mismatched.append(number)
        lines.append(GoodsLine(line_no=number, description=line.description,
                               control_entry=entry.code, regime=entry.regime,
                               category=entry.category, quantity=line.quantity, unit=line.unit,
                               value_eur=line.value_eur,
                               common_high_priority=line.common_high_priority))
    if mismatched:
        raise Errors.REGIME_MISMATCH(
            f"a {body.application_type.value} application takes {regime} goods only; "
            f"lines {mismatched} are not", line_numbers=mismatched, expected_regime=regime)
    for index, party in enumerate(body.parties):
        check_timeline(f"parties[{index}].euc_date", party.euc_date, now=now)
    parties = [Party(**party.model_dump()) for party in body.parties]
    return lines, parties


def owner_org(body: ApplicationIn, principal: Principal) -> str:
    if org_scope(principal) is not None:
        if body.applicant_org not in (None, principal.org):
            raise Errors.APPLICANT_ORG_MISMATCH("an applicant files only for its own organisation")
        return principal.org
    if body.applicant_org is None:
        raise Errors.APPLICANT_ORG_REQUIRED("an officer filing on behalf of a company gives its KBO number")
    return body.applicant_org


async def create_draft(session: AsyncSession, body: ApplicationIn,
                       principal: Principal, now: datetime) -> Application:
    lines, parties = lines_and_parties(body, now)
    app = Application(id=uuid.uuid4(), application_type=body.application_type.value,
                      applicant_org=owner_org(body, principal),
                      applicant_name=body.applicant_name,
                      destination_country=body.destination_country, end_use=body.end_use,
                      status=Status.draft.value, screening_status="not_screened",
                      lines=lines, parties=parties)
    await add_audited(session, app, entity_type="application", action="created", to_state=Status.draft.value)
    return app


async def _editable(session: AsyncSession, app: Application) -> bool:
    if app.status == Status.draft:
        return True
    return app.status in workflow.OPEN_STATES and await session.scalar(
        select(InformationRequest.id).where(InformationRequest.application_id == app.id,
                                            InformationRequest.status == "open",
                                            InformationRequest.allows_edit).limit(1)) is not None


async def replace_content(session: AsyncSession, app: Application, body: ApplicationIn,
                          principal: Principal, now: datetime) -> Application:
    if not await _editable(session, app):
        raise Errors.APPLICATION_NOT_EDITABLE(
            "only a draft, or a case with an open information request that allows changes, "
            "can be edited")
    if body.applicant_org not in (None, app.applicant_org):
        raise Errors.APPLICANT_ORG_MISMATCH("the applicant cannot be changed")
    lines, parties = lines_and_parties(body, now)
    app.application_type = body.application_type.value
    app.applicant_name = body.applicant_name
    app.destination_country = body.destination_country
    app.end_use = body.end_use
    # Old rows go first: the new lines reuse their (application, line number) keys.
    app.lines, app.parties = [], []
    await session.flush()
    app.lines, app.parties = lines, parties
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id, action="edited",
                       from_state=app.status, to_state=app.status)
    if app.status != Status.draft:
        await _invalidate_assessment(session, app, now)
    return app


async def _invalidate_assessment(session: AsyncSession, app: Application, now: datetime) -> None:
    """An edit after the file was assessed: every advice given so far is void (kept, marked),
    and an advised or countersigned case goes back to the assessment."""
    voided = (await session.execute(
        update(Advice).where(Advice.application_id == app.id, Advice.invalidated_at.is_(None))
        .values(invalidated_at=now).returning(Advice.id))).scalars().all()
    before = app.status
    if before in (Status.advice_given, Status.countersigned, Status.with_minister):
        app.status = Status.under_assessment.value
        await session.flush()
    if voided or before != app.status:
        await record_audit(session, entity_type="application", entity_id=app.id,
                           action="assessment_invalidated", from_state=before,
                           to_state=app.status, reason="the file was edited",
                           data={"advice_voided": [str(a) for a in voided],
                                 "countersignature_voided": before in (
                                     Status.countersigned, Status.with_minister)})


async def check_advice_complete(session: AsyncSession, app: Application) -> None:
    """Advice (still valid) on every current goods line and every party."""
    given = set((await session.execute(
        select(Advice.subject_type, Advice.subject_id).where(
            Advice.application_id == app.id, Advice.invalidated_at.is_(None)))).all())
    lines = [line.line_no for line in app.lines if ("line", line.id) not in given]
    parties = [str(party.id) for party in app.parties if ("party", party.id) not in given]
    if lines or parties:
        raise Errors.ADVICE_MISSING("record the advice on every line and party first",
                                    lines_without_advice=lines,
                                    parties_without_advice=parties)


# ---------------------------------------------------------------- transitions

async def next_reference(session: AsyncSession, year: int) -> str:
    """Gap-free yearly sequence: the counter row is incremented in the submitting transaction
    (its row lock serialises concurrent submissions; a rollback gives the number back)."""
    value = await session.scalar(
        insert(ReferenceCounter).values(year=year, last_value=1)
        .on_conflict_do_update(index_elements=[ReferenceCounter.year],
                               set_={"last_value": ReferenceCounter.last_value + 1})
        .returning(ReferenceCounter.last_value))
    return f"CSG/{year}/{value:06d}"


async def rescreen_and_route(session: AsyncSession, app: Application,
                             settings: ExportControlSettings, now: datetime) -> None:
    await screening.screen_application(
        session, app, threshold=settings.screening_match_threshold,
        validity_years=settings.denial_notice_validity_years, today=brussels_date(now), now=now)
    denial, sanctions_hit = await screening.hit_flags(session, app.id)
    await route_application(session, app, denial_match=denial, sanctions_hit=sanctions_hit,
                            now=now)


async def transition(session: AsyncSession, app: Application, target: str, *,
                     principal: Principal, reason: str | None,
                     settings: ExportControlSettings, now: datetime) -> Application:
    if target == Status.decided:
        raise illegal_transition("application", app.status, target,
                                 workflow.APPLICATION_FLOW.allowed(app.status) - {target},
                                 "decisions are taken through POST /v1/applications/{id}/decision")
    workflow.check_transition(app.status, target, principal.roles)
    before = app.status
    if target == Status.submitted:
        await _submit(session, app, settings, now)
    elif target == Status.advice_given:
        await check_advice_complete(session, app)
    elif target == Status.withdrawn:
        await add_clock_event(session, app, "withdrawn", now)
        await forget_open_turnaround(session, app.id)
    elif before == Status.decided:  # reopening: the dedicated permission was checked above
        if not reason:
            raise Errors.REASON_REQUIRED("reopening a decided case needs a reason")
        app.outcome = None
        await add_clock_event(session, app, "reopened", now)
        await suspend_on_reopen(session, app.id)
    app.status = target
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="reopened" if before == Status.decided else "transition",
                       from_state=before, to_state=target, reason=reason)
    await emit_event(session, f"application.{target}", subject=app.id, org=app.applicant_org,
                     data={"reference": app.reference, "from": before, "to": target})
    return app


async def _submit(session: AsyncSession, app: Application, settings: ExportControlSettings,
                  now: datetime) -> None:
    if not any(party.role == "end_user" for party in app.parties):
        raise Errors.END_USER_REQUIRED("an application needs an end user")
    await ensure_required_documents(session, app)
    await rescreen_and_route(session, app, settings, now)
    app.submitted_at = now
    await add_clock_event(session, app, "submitted", now)
    # Last, so the counter row is locked for as short a time as possible.
    app.reference = await next_reference(session, brussels_date(now).year)


# ---------------------------------------------------------------- information requests

async def open_information_request(session: AsyncSession, app: Application,
                                   body: InformationRequestIn, *, actor: str,
                                   now: datetime) -> InformationRequest:
    if app.status not in (Status.completeness_check, Status.under_assessment):
        raise illegal_transition("application", app.status, "information_requested", (),
                                 "information is requested during the completeness check or the "
                                 "assessment")
    request = InformationRequest(id=uuid.uuid4(), application_id=app.id, question=body.question,
                                 allows_edit=body.allows_edit, status="open", opened_at=now,
                                 opened_by=actor)
    session.add(request)
    await add_clock_event(session, app, "information_requested", now, key=str(request.id))
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="information_requested", data={"request_id": str(request.id)})
    await emit_event(session, "application.information_requested", subject=app.id,
                     org=app.applicant_org, data={"request_id": str(request.id)})
    return request


async def answer_information_request(session: AsyncSession, app: Application,
                                     request_id: uuid.UUID, answer: str, *,
                                     settings: ExportControlSettings,
                                     now: datetime) -> InformationRequest:
    request = await one_or_404(session, select(InformationRequest).where(
        InformationRequest.id == request_id, InformationRequest.application_id == app.id),
        what="information request", for_update=True)
    if request.status != "open":
        raise Errors.INFORMATION_REQUEST_CLOSED("this request was already answered")
    request.status, request.answer, request.answered_at = "answered", answer, now
    await add_clock_event(session, app, "information_answered", now, key=str(request.id))
    if request.allows_edit:  # the content may have changed while the request was open
        await rescreen_and_route(session, app, settings, now)
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="information_answered", data={"request_id": str(request.id)})
    return request


# ---------------------------------------------------------------- advice and decision

async def add_advice(session: AsyncSession, app: Application, body: AdviceIn, *, actor: str,
                     now: datetime) -> Advice:
    if app.status != Status.under_assessment:
        raise illegal_transition("application", app.status, "advice", (),
                                 "advice is given during the assessment")
    subjects = {line.id for line in app.lines} if body.subject_type == "line" else {
        party.id for party in app.parties}
    if body.subject_id not in subjects:
        raise Errors.ADVICE_SUBJECT_UNKNOWN(f"no {body.subject_type} {body.subject_id} in this application")
    if body.recommendation == "refuse" and not body.refusal_criteria:
        raise Errors.REFUSAL_CRITERIA_REQUIRED("a refusal names the criteria (1-8) it rests on")
    advice = Advice(application_id=app.id, subject_type=body.subject_type,
                    subject_id=body.subject_id, recommendation=body.recommendation.value,
                    conditions=body.conditions, refusal_criteria=sorted(set(body.refusal_criteria)),
                    given_by=actor, given_at=now)
    await add_audited(session, advice, entity_type="application", entity_id=app.id, action="advice",
                      data={"subject_type": body.subject_type, "subject_id": str(body.subject_id),
                            "recommendation": body.recommendation.value})
    return advice

