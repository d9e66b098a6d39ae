"""Use cases of applications: drafts, the transition table, information requests, advice,
decisions (delegated or ministerial), reopening, and the turnaround clock."""

import uuid
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Select, delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event, record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import check_timeline
from export_control.applications import workflow
from export_control.applications.models import (
    Advice,
    Application,
    ApplicationEvent,
    Decision,
    GoodsLine,
    InformationRequest,
    OpenTurnaroundFigure,
    Party,
    ReferenceCounter,
    TurnaroundFigure,
)
from export_control.applications.schemas import (
    AdviceIn,
    ApplicationIn,
    DecisionIn,
    InformationRequestIn,
)
from export_control.applications.turnaround import ClockEvent, Turnaround, compute_turnaround
from export_control.applications.workflow import Status
from export_control.controllist import DUAL_USE, MILITARY, normalise_control_entry
from export_control.embargoes import service as embargoes
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.licences.service import issue_licence, suspend_on_reopen
from export_control.licences.validity import licence_validity, validity_rules
from export_control.roles import HEAD, MINISTER, org_scope
from export_control.routing.service import route_application
from export_control.screening import service as screening
from export_control.screening.models import DenialGrantNotification, DenialNotice
from export_control.settings import ExportControlSettings

GRANTS = ("granted", "granted_with_conditions")


# ---------------------------------------------------------------- reading

def visible_applications(principal: Principal) -> Select:
    stmt = select(Application)
    scope = org_scope(principal)
    if scope is not None:
        stmt = stmt.where(Application.applicant_org == scope)
    return stmt


async def get_application(session: AsyncSession, app_id: uuid.UUID, principal: Principal, *,
                          for_update: bool = False) -> Application:
    stmt = visible_applications(principal).where(Application.id == app_id)
    if for_update:
        stmt = stmt.with_for_update(of=Application)
    app = await session.scalar(stmt)
    if app is None:
        raise KitErrors.NOT_FOUND("application not found")
    return app


# ---------------------------------------------------------------- drafts

def _lines_and_parties(body: ApplicationIn,
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


def _owner_org(body: ApplicationIn, principal: Principal) -> str:
    if org_scope(principal) is not None:
        if body.applicant_org not in (None, principal.org):
            raise Errors.APPLICANT_ORG_MISMATCH("an applicant files only for its own organisation")
        return principal.org
    if body.applicant_org is None:
        raise Errors.APPLICANT_ORG_REQUIRED("an officer filing on behalf of a company gives its KBO number")
    return body.applicant_org


async def create_draft(session: AsyncSession, body: ApplicationIn,
                       principal: Principal, now: datetime) -> Application:
    lines, parties = _lines_and_parties(body, now)
    app = Application(id=uuid.uuid4(), application_type=body.application_type.value,
                      applicant_org=_owner_org(body, principal),
                      applicant_name=body.applicant_name,
                      destination_country=body.destination_country, end_use=body.end_use,
                      status=Status.draft.value, screening_status="not_screened",
                      lines=lines, parties=parties)
    session.add(app)
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id, action="created",
                       to_state=Status.draft.value)
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
    lines, parties = _lines_and_parties(body, now)
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

async def _event(session: AsyncSession, app: Application, kind: str, at: datetime,
                 key: str | None = None) -> None:
    session.add(ApplicationEvent(application_id=app.id, kind=kind, occurred_at=at, key=key))


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
        await _event(session, app, "withdrawn", now)
        await forget_open_turnaround(session, app.id)
    elif before == Status.decided:  # reopening: the dedicated permission was checked above
        if not reason:
            raise Errors.REASON_REQUIRED("reopening a decided case needs a reason")
        app.outcome = None
        await _event(session, app, "reopened", now)
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
    await rescreen_and_route(session, app, settings, now)
    app.submitted_at = now
    await _event(session, app, "submitted", now)
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
    await _event(session, app, "information_requested", now, key=str(request.id))
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
    request = await session.scalar(
        select(InformationRequest).where(InformationRequest.id == request_id,
                                         InformationRequest.application_id == app.id)
        .with_for_update())
    if request is None:
        raise KitErrors.NOT_FOUND("information request not found")
    if request.status != "open":
        raise Errors.INFORMATION_REQUEST_CLOSED("this request was already answered")
    request.status, request.answer, request.answered_at = "answered", answer, now
    await _event(session, app, "information_answered", now, key=str(request.id))
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
    session.add(advice)
    await session.flush()
    await record_audit(session, entity_type="application", entity_id=app.id, action="advice",
                       data={"subject_type": body.subject_type, "subject_id": str(body.subject_id),
                             "recommendation": body.recommendation.value})
    return advice


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


async def decide(session: AsyncSession, app: Application, body: DecisionIn, *,
                 principal: Principal, settings: ExportControlSettings,
                 now: datetime) -> tuple[Decision, Licence | None]:
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
    consulted = []
    if granted:
        if await screening.open_denial_hits(session, app.id):
            raise Errors.DENIAL_CONSULTATION_REQUIRED(
                "a denial notice of another member state matches a party; record the "
                "consultation with that state before granting")
        if _russia_evidence_missing(app):
            raise Errors.NO_RE_EXPORT_EVIDENCE_REQUIRED(
                "evidence of the no-re-export-to-Russia clause from the end user is needed "
                "before a licence can be issued")
        consulted = await screening.consulted_denial_hits(session, app.id)
    decision = Decision(id=uuid.uuid4(), application_id=app.id, outcome=body.outcome.value,
                        authority=authority, decided_by=principal.sub, decided_at=now,
                        refusal_criteria=sorted(set(body.refusal_criteria)),
                        conditions=body.conditions, reason=body.reason,
                        granted_despite_denial=bool(consulted))
    session.add(decision)
    before = app.status
    app.status, app.outcome, app.decided_at = Status.decided.value, body.outcome.value, now
    await _event(session, app, "decided", now)
    await forget_open_turnaround(session, app.id)
    await session.flush()
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
    licence = None
    if granted:
        valid_from, valid_until = licence_validity(
            app.application_type, decided_on=brussels_date(now), valid_from=body.valid_from,
            valid_until=body.valid_until, default_months=settings.licence_validity_months,
            rules=validity_rules(settings.licence_validity_file))
        licence = await issue_licence(
            session, app, decision, valid_from=valid_from, valid_until=valid_until,
            conditions=body.conditions,
            control_modes={t.line_no: t.control_mode.value for t in body.line_terms}, now=now)
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


# ---------------------------------------------------------------- turnaround

async def clock_events(session: AsyncSession, app_id: uuid.UUID) -> list[ClockEvent]:
    rows = (await session.execute(
        select(ApplicationEvent.kind, ApplicationEvent.occurred_at, ApplicationEvent.key)
        .where(ApplicationEvent.application_id == app_id)
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))).all()
    return [ClockEvent(kind, at, key) for kind, at, key in rows]


async def turnaround_of(session: AsyncSession, app_id: uuid.UUID, as_of: date) -> Turnaround:
    return compute_turnaround(await clock_events(session, app_id), as_of)


async def record_turnaround(session: AsyncSession, app: Application, *,
                            decision_at: datetime) -> TurnaroundFigure:
    """Upsert the derived figure from the events (same events -> same row: idempotent)."""
    figure = await turnaround_of(session, app.id, brussels_date(decision_at))
    max_days = app.indicative_max_working_days or 0
    values = {"track": app.track or "standard", "authority": app.decision_authority or "delegated",
              "indicative_max_working_days": max_days, "working_days": figure.working_days,
              "within_max": figure.working_days <= max_days, "decided_at": decision_at,
              "computed_at": decision_at}
    last_decision = await session.scalar(
        select(Decision).where(Decision.application_id == app.id)
        .order_by(Decision.decided_at.desc()).limit(1))
    if last_decision is not None:
        values["authority"] = last_decision.authority
        values["decided_at"] = last_decision.decided_at
    await session.execute(
        insert(TurnaroundFigure).values(application_id=app.id, **values)
        .on_conflict_do_update(index_elements=[TurnaroundFigure.application_id], set_=values))
    return await session.get(TurnaroundFigure, app.id, populate_existing=True)


async def recompute_all_turnarounds(session: AsyncSession) -> int:
    """Recompute every decided application's figure from its events (idempotent)."""
    apps = (await session.scalars(
        select(Application).where(Application.decided_at.is_not(None))
        .order_by(Application.id))).all()
    for app in apps:
        await record_turnaround(session, app, decision_at=app.decided_at)
    return len(apps)


# ---------------------------------------------------------------- running clock of open cases

OPEN_STATUSES = sorted(state.value for state in workflow.OPEN_STATES)
# Rows per INSERT: 7 parameters each stays far below asyncpg's 32767-parameter limit.
UPSERT_CHUNK = 1000


def _open_and_routed():
    # Routing runs at submission, so every open case has a track; the guard only keeps a
    # hypothetical unrouted one out of the NOT NULL columns.
    return (Application.status.in_(OPEN_STATUSES), Application.track.is_not(None),
            Application.indicative_max_working_days.is_not(None))


async def forget_open_turnaround(session: AsyncSession, app_id: uuid.UUID) -> None:
    """A decided or withdrawn case stops counting as open at once (not at the next run)."""
    await session.execute(delete(OpenTurnaroundFigure)
                          .where(OpenTurnaroundFigure.application_id == app_id))


async def recompute_open_turnarounds(session: AsyncSession, today: date) -> int:
    """Store the running working-day clock of every open application as of `today`
    (Europe/Brussels) from its events, and drop the rows of cases no longer open.

    Idempotent: the same events on the same day give the same rows, and an unchanged row is
    not even rewritten. The open applications are locked FOR SHARE for the run, so a decision
    or withdrawal cannot commit between reading the case as open and storing its row (it
    waits, then removes the row itself)."""
    apps = (await session.execute(
        select(Application.id, Application.track, Application.indicative_max_working_days)
        .where(*_open_and_routed()).order_by(Application.id)
        .with_for_update(read=True, of=Application))).all()
    await session.execute(delete(OpenTurnaroundFigure).where(
        OpenTurnaroundFigure.application_id.not_in(
            select(Application.id).where(*_open_and_routed()))))
    events: dict[uuid.UUID, list[ClockEvent]] = defaultdict(list)
    rows = await session.execute(
        select(ApplicationEvent.application_id, ApplicationEvent.kind,
               ApplicationEvent.occurred_at, ApplicationEvent.key)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(*_open_and_routed())
        # The clock sorts stably by time: ties keep the order they were recorded in.
        .order_by(ApplicationEvent.application_id, ApplicationEvent.occurred_at,
                  ApplicationEvent.id))
    for app_id, kind, at, key in rows:
        events[app_id].append(ClockEvent(kind, at, key))
    figures = []
    for app_id, track, max_days in apps:
        clock = compute_turnaround(events[app_id], today)
        figures.append({"application_id": app_id, "track": track,
                        "indicative_max_working_days": max_days,
                        "working_days": clock.working_days,
                        "paused_working_days": clock.paused_working_days,
                        "past_max": clock.working_days > max_days, "as_of": today})
    for start in range(0, len(figures), UPSERT_CHUNK):
        await _upsert_open_figures(session, figures[start:start + UPSERT_CHUNK])
    return len(figures)


async def _upsert_open_figures(session: AsyncSession, figures: list[dict]) -> None:
    stmt = insert(OpenTurnaroundFigure).values(figures)
    columns = [name for name in figures[0] if name != "application_id"]
    table = OpenTurnaroundFigure.__table__
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[OpenTurnaroundFigure.application_id],
        set_={name: stmt.excluded[name] for name in columns},
        where=tuple_(*(table.c[name] for name in columns)).is_distinct_from(
            tuple_(*(stmt.excluded[name] for name in columns)))))
