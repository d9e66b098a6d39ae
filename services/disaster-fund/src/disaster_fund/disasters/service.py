"""Disasters and their recognition procedure."""

import uuid
from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund.applications.models import Application
from disaster_fund.disasters.models import AdviceRequest
from disaster_fund.disasters.models import Disaster
from disaster_fund.disasters.schemas import AdviceReceivedIn
from disaster_fund.disasters.schemas import AdviceRequestIn
from disaster_fund.disasters.schemas import DerivedDeadlines
from disaster_fund.disasters.schemas import DisasterIn
from disaster_fund.disasters.schemas import DisasterOut
from disaster_fund.disasters.schemas import DisasterPatch
from disaster_fund.disasters.schemas import DisasterTransitionIn
from disaster_fund.disasters.schemas import criterion_out
from disaster_fund.errors import Errors
from disaster_fund.municipalities import canonical_list
from disaster_fund.numbering import next_number
from disaster_fund.rules import service as rules
from disaster_fund.workflow import TERMINAL_APPLICATION_STATES
from disaster_fund.workflow import DisasterState
from disaster_fund.workflow import ensure_disaster_transition
from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import one_or_404
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import Bound
from dkbuza_kit.timeline import check_period
from dkbuza_kit.timeline import check_timeline

S = DisasterState


async def get(session: AsyncSession, disaster_id: uuid.UUID, *, for_update: bool = False) -> Disaster:
    stmt = select(Disaster).where(Disaster.id == disaster_id)
    return await one_or_404(session, stmt, what="disaster",
                            for_update=for_update)


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


# Disaster compensation became a Flemish competence on 1 July 2014 (sixth state reform, special
# law of 6 January 2014); earlier events are the federal disaster fund's.
FLEMISH_COMPETENCE_FROM = date(2014, 7, 1)


def check_event_dates(start: date, end: date, now) -> None:
    """An event happened (not in the future), ends after it starts, and is Flemish."""
    check_timeline("event_start", start, now=now)
    check_timeline("event_end", end, now=now)
    check_period("event_start", start, "event_end", end)
    if start < FLEMISH_COMPETENCE_FROM:
        raise Errors.EVENT_BEFORE_FLEMISH_COMPETENCE(
            f"events before {FLEMISH_COMPETENCE_FROM.isoformat()} fall under the federal law of "
            "12 July 1976 and the federal disaster fund", event_start=start.isoformat(),
            competence_from=FLEMISH_COMPETENCE_FROM.isoformat())


async def create(session: AsyncSession, body: DisasterIn, clock: Clock) -> Disaster:
    check_event_dates(body.event_start, body.event_end, clock.now())
    rule_set = await rules.current_for_event(session, body.event_start)
    disaster = Disaster(
        reference=await next_number(session, "RAMP", body.event_start.year, width=3),
        title=body.title, phenomenon=body.phenomenon.value, event_start=body.event_start,
        event_end=body.event_end, municipalities=canonical_list(body.municipalities),
        regime=rule_set.regime, state=S.reporting.value, version=1,
        state_changed_at=clock.now(),
    )
    await add_audited(session, disaster, entity_type="disaster", action="created", to_state=disaster.state)
    return disaster


async def patch(session: AsyncSession, disaster: Disaster, body: DisasterPatch) -> Disaster:
    if disaster.state not in (S.reporting, S.investigation, S.awaiting_advice):
        raise Errors.DISASTER_LOCKED("the disaster can no longer be edited")
    changes = body.model_dump(exclude_unset=True)
    if "title" in changes and body.title is not None:
        disaster.title = body.title
    if body.municipalities is not None:
        disaster.municipalities = canonical_list(body.municipalities)
    disaster.version += 1
    await record_audit(session, entity_type="disaster", entity_id=disaster.id, action="updated",
                       data={"fields": sorted(changes)})
    return disaster


def step_date(disaster: Disaster, body: DisasterTransitionIn, today: date) -> tuple[str, date]:
    """(field, date) of a procedure step: the decision or publication date where it has one."""
    if body.to_state is S.recognised and body.decision_date is not None:
        return "decision_date", body.decision_date
    if body.to_state is S.published and body.publication_date is not None:
        return "publication_date", body.publication_date
    return "on", body.on or today


def step_predecessors(disaster: Disaster, target: DisasterState) -> list[Bound]:
    """The earlier steps of the procedure that a step's date may not precede."""
    reached = [("investigation_started_on", disaster.investigation_started_on),
               ("assessed_on", disaster.assessed_on),
               ("submitted_to_government_on", disaster.submitted_to_government_on),
               ("recognition_decision_date", disaster.recognition_decision_date),
               ("publication_date", disaster.publication_date)]
    return [bound for bound in reached if bound[1] is not None] if target is not S.investigation else []


async def transition(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                     clock: Clock) -> Disaster:
    current, target = DisasterState(disaster.state), body.to_state
    ensure_disaster_transition(current, target)
    if target is S.published and body.publication_date is None:
        raise Errors.PUBLICATION_DATE_REQUIRED(
            "the Belgian State Gazette publication date is required")
    field, on = step_date(disaster, body, today_brussels(clock))
    check_timeline(field, on, now=clock.now(), follows=step_predecessors(disaster, target),
                   origin=("event_start", disaster.event_start))
    await _apply_step(session, disaster, body, on)
    disaster.state = target.value
    disaster.version += 1
    disaster.state_changed_at = clock.now()
    await record_audit(session, entity_type="disaster", entity_id=disaster.id, action="transition",
                       from_state=current.value, to_state=target.value, reason=body.reason)
    await emit_event(session, f"disaster.{target.value}", subject=disaster.id,
                     data={"reference": disaster.reference, "from_state": current.value})
    return disaster


async def _apply_step(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                      on: date) -> None:
    match body.to_state:
        case S.investigation:
            disaster.investigation_started_on = disaster.investigation_started_on or on
        case S.assessed:
            await _assess(session, disaster, body, on)
        case S.submitted_to_government:
            disaster.submitted_to_government_on = on
        case S.recognised:
            await _recognise(session, disaster, body, on)
        case S.published:
            disaster.publication_date = on
            await _notify_reporters(session, disaster, "damage_report.application_window_opened")
        case S.not_recognised:
            if not (body.reason or "").strip():
                raise Errors.REASON_REQUIRED("a reason is required")
            disaster.not_recognised_reason = body.reason
            await _notify_reporters(session, disaster, "damage_report.disaster_not_recognised")
        case S.closed:
            open_count = await session.scalar(select(func.count()).select_from(Application).where(
                Application.disaster_id == disaster.id,
                Application.state.not_in([s.value for s in TERMINAL_APPLICATION_STATES]),
                Application.completed_on.is_(None)))
            if open_count:
                raise Errors.APPLICATIONS_OPEN(f"{open_count} application(s) are not terminal yet")
            disaster.closed_on = on


async def _assess(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                  on: date) -> None:
    if not body.criteria:
        raise Errors.CRITERIA_REQUIRED(
            "the measured values and thresholds of the criteria are required")
    pending = await session.scalar(select(func.count()).select_from(AdviceRequest).where(
        AdviceRequest.disaster_id == disaster.id, AdviceRequest.received_on.is_(None)))
    if pending:
        raise Errors.ADVICE_PENDING(f"{pending} advice request(s) not answered")
    # `met` is computed from the measured value and the threshold, never taken from the client.
    disaster.criteria = [criterion_out(c).model_dump(mode="json") for c in body.criteria]
    disaster.assessed_on = on


async def _recognise(session: AsyncSession, disaster: Disaster, body: DisasterTransitionIn,
                     on: date) -> None:
    scope = canonical_list(body.scope_municipalities or disaster.municipalities,
                           "scope_municipalities")
    outside = [code for code in scope if code not in disaster.municipalities]
    if outside:
        raise Errors.SCOPE_NOT_IN_DISASTER(
            f"municipalities not affected by this disaster: {', '.join(outside)}")
    start = body.scope_period_start or disaster.event_start
    end = body.scope_period_end or disaster.event_end
    check_period("scope_period_start", start, "scope_period_end", end)
    disaster.recognition_decision_date = on
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
                             body: AdviceRequestIn, clock: Clock) -> AdviceRequest:
    if disaster.state not in (S.investigation, S.awaiting_advice):
        raise illegal_transition("disaster", disaster.state, "advice_requested",
                                 detail="advice is requested during investigation only")
    check_timeline("requested_on", body.requested_on, now=clock.now(),
                   follows=[("investigation_started_on", disaster.investigation_started_on)],
                   origin=("event_start", disaster.event_start))
    request = AdviceRequest(disaster_id=disaster.id, institute=body.institute.value,
                            requested_on=body.requested_on)
    await add_audited(session, request, entity_type="disaster", entity_id=disaster.id,
                      action="advice_requested", data={"institute": body.institute.value})
    return request


async def receive_advice(session: AsyncSession, disaster: Disaster, request_id: uuid.UUID,
                         body: AdviceReceivedIn, clock: Clock) -> AdviceRequest:
    request = await session.scalar(select(AdviceRequest).where(
        AdviceRequest.id == request_id, AdviceRequest.disaster_id == disaster.id))
    if request is None:
        raise KitErrors.NOT_FOUND("advice request not found")
    if request.received_on is not None:
        raise Errors.ADVICE_ALREADY_RECEIVED("this advice was already received")
    check_timeline("received_on", body.received_on, now=clock.now(),
                   follows=[("requested_on", request.requested_on)])
    request.received_on = body.received_on
    request.summary = body.summary
    await record_audit(session, entity_type="disaster", entity_id=disaster.id,
                       action="advice_received", data={"institute": request.institute})
    return request
