"""Disasters and their recognition procedure."""

import uuid
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund.applications.models import Application
from disaster_fund.disasters.models import AdviceRequest, Disaster
from disaster_fund.disasters.schemas import (
    AdviceReceivedIn,
    AdviceRequestIn,
    DerivedDeadlines,
    DisasterIn,
    DisasterOut,
    DisasterPatch,
    DisasterTransitionIn,
)
from disaster_fund.municipalities import canonical_list
from disaster_fund.numbering import next_number
from disaster_fund.rules import service as rules
from disaster_fund.workflow import (
    TERMINAL_APPLICATION_STATES,
    DisasterState,
    ensure_disaster_transition,
)
from dkbuza_kit.audit import emit_event, record_audit
from dkbuza_kit.clock import Clock, today_brussels
from dkbuza_kit.problems import ProblemError

S = DisasterState


async def get(session: AsyncSession, disaster_id: uuid.UUID, *, for_update: bool = False) -> Disaster:
    stmt = select(Disaster).where(Disaster.id == disaster_id)
    if for_update:
        stmt = stmt.with_for_update()
    disaster = await session.scalar(stmt)
    if disaster is None:
        raise ProblemError(404, "NOT_FOUND", "disaster not found")
    return disaster


async def windows_for(session: AsyncSession, disaster: Disaster) -> deadlines.Windows:
    rule_set = await rules.current_for_event(session, disaster.event_start)
    return rules.content_of(rule_set).windows()


def derived_deadlines(disaster: Disaster, windows: deadlines.Windows) -> DerivedDeadlines:
    published = disaster.publication_date
    return DerivedDeadlines(
        report_deadline=deadlines.report_deadline(disaster.event_end, windows),
        application_deadline=deadlines.application_deadline(published, windows) if published else None,
        late_deadline=deadlines.late_deadline(published, windows) if published else None,
        one_year_mark=deadlines.one_year_mark(published) if published else None,
    )


async def to_out(session: AsyncSession, disaster: Disaster, *, with_advice: bool = True) -> DisasterOut:
    advice = []
    if with_advice:
        advice = list((await session.scalars(
            select(AdviceRequest).where(AdviceRequest.disaster_id == disaster.id)
            .order_by(AdviceRequest.requested_on, AdviceRequest.id))).all())
    out = DisasterOut.model_validate(
        {**{c.key: getattr(disaster, c.key) for c in Disaster.__table__.columns},
         "deadlines": derived_deadlines(disaster, await windows_for(session, disaster)),
         "advice_requests": advice})
    return out


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ProblemError(422, "INVALID_PERIOD", "the event ends before it starts")


async def create(session: AsyncSession, body: DisasterIn, clock: Clock) -> Disaster:
    _check_period(body.event_start, body.event_end)
    rule_set = await rules.current_for_event(session, body.event_start)
    disaster = Disaster(
        reference=await next_number(session, "RAMP", body.event_start.year, width=3),
        title=body.title, phenomenon=body.phenomenon.value, event_start=body.event_start,
        event_end=body.event_end, municipalities=canonical_list(body.municipalities),
        regime=rule_set.regime, state=S.reporting.value, version=1,
        state_changed_at=clock.now(),
    )
    session.add(disaster)
    await session.flush()
    await record_audit(session, entity_type="disaster", entity_id=disaster.id, action="created",
                       to_state=disaster.state)
    return disaster


async def patch(session: AsyncSession, disaster: Disaster, body: DisasterPatch) -> Disaster:
    if disaster.state not in (S.reporting, S.investigation, S.awaiting_advice):
        raise ProblemError(409, "DISASTER_LOCKED", "the disaster can no longer be edited")
    changes = body.model_dump(exclude_unset=True)
    if "title" in changes and body.title is not None:
        disaster.title = body.title
    if body.municipalities is not None:
        disaster.municipalities = canonical_list(body.municipalities)
    disaster.version += 1
    await record_audit(session, entity_type="disaster", entity_id=disaster.id, action="updated",
                       data={"fields": sorted(changes)})
    return disaster


async def transition(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                     clock: Clock) -> Disaster:
    current, target = DisasterState(disaster.state), body.to_state
    ensure_disaster_transition(current, target)
    on = body.on or today_brussels(clock)
    match target:
        case S.investigation:
            disaster.investigation_started_on = disaster.investigation_started_on or on
        case S.assessed:
            if not body.criteria:
                raise ProblemError(422, "CRITERIA_REQUIRED",
                                   "the measured values and thresholds of the criteria are required")
            pending = await session.scalar(select(func.count()).select_from(AdviceRequest).where(
                AdviceRequest.disaster_id == disaster.id, AdviceRequest.received_on.is_(None)))
            if pending:
                raise ProblemError(409, "ADVICE_PENDING", f"{pending} advice request(s) not answered")
            disaster.criteria = [c.model_dump(mode="json") for c in body.criteria]
            disaster.assessed_on = on
        case S.submitted_to_government:
            disaster.submitted_to_government_on = on
        case S.recognised:
            await _recognise(session, disaster, body, on)
        case S.published:
            if body.publication_date is None:
                raise ProblemError(422, "PUBLICATION_DATE_REQUIRED",
                                   "the Belgian State Gazette publication date is required")
            if body.publication_date < disaster.recognition_decision_date:  # type: ignore[operator]
                raise ProblemError(422, "INVALID_DATE",
                                   "publication cannot precede the recognition decision")
            disaster.publication_date = body.publication_date
            await _notify_reporters(session, disaster, "damage_report.application_window_opened")
        case S.not_recognised:
            if not (body.reason or "").strip():
                raise ProblemError(422, "REASON_REQUIRED", "a reason is required")
            disaster.not_recognised_reason = body.reason
            await _notify_reporters(session, disaster, "damage_report.disaster_not_recognised")
        case S.closed:
            open_count = await session.scalar(select(func.count()).select_from(Application).where(
                Application.disaster_id == disaster.id,
                Application.state.not_in([s.value for s in TERMINAL_APPLICATION_STATES]),
                Application.completed_on.is_(None)))
            if open_count:
                raise ProblemError(409, "APPLICATIONS_OPEN",
                                   f"{open_count} application(s) are not terminal yet")
            disaster.closed_on = on
    disaster.state = target.value
    disaster.version += 1
    disaster.state_changed_at = clock.now()
    await record_audit(session, entity_type="disaster", entity_id=disaster.id, action="transition",
                       from_state=current.value, to_state=target.value, reason=body.reason)
    await emit_event(session, f"disaster.{target.value}", subject=disaster.id,
                     data={"reference": disaster.reference, "from_state": current.value})
    return disaster


async def _recognise(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                     on: date) -> None:
    scope = canonical_list(body.scope_municipalities or disaster.municipalities,
                           "scope_municipalities")
    outside = [code for code in scope if code not in disaster.municipalities]
    if outside:
        raise ProblemError(422, "SCOPE_NOT_IN_DISASTER",
                           f"municipalities not affected by this disaster: {', '.join(outside)}")
    start = body.scope_period_start or disaster.event_start
    end = body.scope_period_end or disaster.event_end
    _check_period(start, end)
    disaster.recognition_decision_date = body.decision_date or on
    disaster.scope_municipalities = scope
    disaster.scope_period_start = start
    disaster.scope_period_end = end
    await _notify_reporters(session, disaster, "damage_report.disaster_recognised")


async def _notify_reporters(session: AsyncSession, disaster: Disaster, event_type: str) -> None:
    """One outbox event per damage report (the reporter is told), in one statement."""
    await session.execute(text(
        "INSERT INTO outbox_events (id, type, org, subject, data) "
        "SELECT gen_random_uuid(), :type, reporter_org, number, "
        "jsonb_build_object('disaster_id', CAST(:disaster_text AS text), 'reference', "
        "CAST(:reference AS text), 'reporter_sub', reporter_sub, 'report_number', number) "
        "FROM damage_reports WHERE disaster_id = :disaster_id"),
        {"type": event_type, "disaster_id": disaster.id, "disaster_text": str(disaster.id),
         "reference": disaster.reference})


async def add_advice_request(session: AsyncSession, disaster: Disaster,
                             body: AdviceRequestIn) -> AdviceRequest:
    if disaster.state not in (S.investigation, S.awaiting_advice):
        raise ProblemError(409, "ILLEGAL_TRANSITION",
                           "advice is requested during investigation only")
    request = AdviceRequest(disaster_id=disaster.id, institute=body.institute.value,
                            requested_on=body.requested_on)
    session.add(request)
    await session.flush()
    await record_audit(session, entity_type="disaster", entity_id=disaster.id,
                       action="advice_requested", data={"institute": body.institute.value})
    return request


async def receive_advice(session: AsyncSession, disaster: Disaster, request_id: uuid.UUID,
                         body: AdviceReceivedIn) -> AdviceRequest:
    request = await session.scalar(select(AdviceRequest).where(
        AdviceRequest.id == request_id, AdviceRequest.disaster_id == disaster.id))
    if request is None:
        raise ProblemError(404, "NOT_FOUND", "advice request not found")
    if request.received_on is not None:
        raise ProblemError(409, "ADVICE_ALREADY_RECEIVED", "this advice was already received")
    if body.received_on < request.requested_on:
        raise ProblemError(422, "INVALID_DATE", "advice cannot be received before it was requested")
    request.received_on = body.received_on
    request.summary = body.summary
    await record_audit(session, entity_type="disaster", entity_id=disaster.id,
                       action="advice_received", data={"institute": request.institute})
    return request
