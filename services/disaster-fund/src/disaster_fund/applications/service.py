"""Applications (dossiers): submission guards, the lifecycle, pauses, expert reports,
decision versions, appeals. Every state change goes through `change_state`, which keeps the
event table, the audit trail, the turnaround columns and the completion facts in step."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Integer, Select, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import calculation, deadlines, roles, turnaround
from disaster_fund.applications.models import (
    MONEY,
    Appeal,
    Application,
    ApplicationEvent,
    DamageItem,
    Decision,
    ExpertReport,
    Pause,
)
from disaster_fund.applications.schemas import (
    AppealIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationTransitionIn,
    Category,
    Channel,
    DecisionIn,
    ExpertReportIn,
    JudgmentIn,
    PauseIn,
)
from disaster_fund.disasters import service as disasters
from disaster_fund.disasters.models import Disaster
from disaster_fund.municipalities import canonical_nis, canonical_one
from disaster_fund.numbering import next_number
from disaster_fund.rules import service as rules
from disaster_fund.rules.schemas import RuleSetContent
from disaster_fund.stats.models import PhaseDurationStats
from disaster_fund.workflow import (
    GENERIC_APPLICATION_TARGETS,
    PHASE_OF_STATE,
    TERMINAL_APPLICATION_STATES,
    ApplicationState,
    DisasterState,
    ensure_application_transition,
)
from dkbuza_kit.audit import SYSTEM_ACTOR, audit_row, emit_event, outbox_row, record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date, start_of_day
from dkbuza_kit.clock import Clock, today_brussels
from dkbuza_kit.jobs import enqueue
from dkbuza_kit.models import AuditEvent, OutboxEvent
from dkbuza_kit.problems import ProblemError

A = ApplicationState
DEEMED_ACCEPTANCE_TASK = "deemed-acceptance"
FINALITY_TASK = "decision-finality"
# States in which the applicant is the one who must act: the clock pauses automatically.
AUTO_PAUSES = {A.waiting_for_documents: turnaround.PauseReason.waiting_for_documents,
               A.report_sent: turnaround.PauseReason.report_with_applicant}


# --- visibility -----------------------------------------------------------------------------

def visible(stmt: Select, principal: Principal) -> Select:
    """Object rules in SQL: staff see all, an expert the assigned dossiers, a municipality its
    own, a citizen their own."""
    if principal.has_any(*roles.STAFF):
        return stmt
    if principal.has_any(roles.EXPERT):
        return stmt.where(Application.expert_sub == principal.sub)
    if principal.has_any(roles.MUNICIPALITY):
        return stmt.where(Application.applicant_org == principal.org)
    return stmt.where(Application.applicant_sub == principal.sub)


async def get(session: AsyncSession, application_id: uuid.UUID, principal: Principal | None,
              *, for_update: bool = False) -> Application:
    stmt = select(Application).where(Application.id == application_id)
    if principal is not None:
        stmt = visible(stmt, principal)
    if for_update:
        stmt = stmt.with_for_update()
    application = await session.scalar(stmt)
    if application is None:
        raise ProblemError(404, "NOT_FOUND", "application not found")
    return application


async def items_of(session: AsyncSession, application_id: uuid.UUID) -> list[DamageItem]:
    return list((await session.scalars(select(DamageItem).where(
        DamageItem.application_id == application_id).order_by(DamageItem.position))).all())


async def rule_set_for(session: AsyncSession, disaster: Disaster):
    rule_set = await rules.current_for_event(session, disaster.event_start)
    return rule_set, rules.content_of(rule_set)


# --- submission -----------------------------------------------------------------------------

def _applicant(principal: Principal, body: ApplicationIn, municipality: str,
               clock: Clock) -> tuple[str, str | None, Channel, datetime]:
    """(applicant_sub, applicant_org, channel, received_at) by role; paper uses received_at."""
    if principal.has_any(*roles.STAFF):
        if not body.applicant_id or body.received_at is None:
            raise ProblemError(422, "PAPER_APPLICATION_FIELDS_REQUIRED",
                               "a handler registers a paper application: applicant_id and "
                               "received_at are required")
        if body.received_at.tzinfo is None:
            raise ProblemError(422, "TIMEZONE_REQUIRED", "received_at needs a UTC offset")
        if body.received_at > clock.now():
            raise ProblemError(422, "INVALID_DATE", "received_at lies in the future")
        return body.applicant_id, None, Channel.paper, body.received_at
    if body.applicant_id or body.received_at:
        raise ProblemError(422, "PAPER_FIELDS_NOT_ALLOWED",
                           "applicant_id and received_at are for paper applications (handlers)")
    if principal.has_any(roles.MUNICIPALITY) and not principal.has_any(roles.CITIZEN):
        if body.category is not Category.public_domain:
            raise ProblemError(422, "CATEGORY_NOT_ALLOWED",
                               "a municipality applies for damage to its public domain")
        if canonical_nis(principal.org) != municipality:
            raise ProblemError(403, "NOT_OWN_MUNICIPALITY",
                               "a municipality applies for its own public domain only")
        return principal.sub, principal.org, Channel.online, clock.now()
    if body.category is Category.public_domain:
        raise ProblemError(422, "CATEGORY_NOT_ALLOWED",
                           "public-domain damage is claimed by the municipality")
    return principal.sub, None, Channel.online, clock.now()


def check_scope(disaster: Disaster, municipality: str, damage_date: date) -> None:
    if disaster.state not in (DisasterState.published, DisasterState.closed):
        raise ProblemError(422, "DISASTER_NOT_RECOGNISED",
                           "applications open when the recognition is published in the "
                           f"Belgian State Gazette (disaster is {disaster.state})")
    in_area = municipality in (disaster.scope_municipalities or [])
    in_period = disaster.scope_period_start <= damage_date <= disaster.scope_period_end  # type: ignore[operator]
    if not (in_area and in_period):
        raise ProblemError(
            422, "OUTSIDE_RECOGNITION_SCOPE",
            "the recognition covers municipalities "
            f"{', '.join(disaster.scope_municipalities or [])} from "
            f"{disaster.scope_period_start} to {disaster.scope_period_end}",
            in_municipalities=in_area, in_period=in_period,
        )


# The response fields a new dossier does not have yet.
_NOT_YET_SET = dict.fromkeys(("dossier_number", "handler_sub", "expert_sub", "assessed_amount",
                              "decision_version", "decided_amount", "completed_on",
                              "completion_kind", "completed_on_time"))


def _insert_bound(table: Table, prefix: str):
    """INSERT with a bind parameter `<prefix>_<column>` for each column the database does not
    fill itself, and a function making the parameters of a row (absent columns: NULL)."""
    columns = [c for c in table.columns
               if c.server_default is None and c.autoincrement is not True]
    statement = insert(table).values(
        {c.name: bindparam(f"{prefix}_{c.name}", type_=c.type) for c in columns})

    def params(row: dict) -> dict:
        unknown = row.keys() - {c.name for c in columns}
        assert not unknown, f"not columns of {table.name}: {unknown}"
        return {f"{prefix}_{c.name}": row.get(c.name) for c in columns}

    return statement, params


_APPLICATION_INSERT, _application_params = _insert_bound(Application.__table__, "app")
_EVENT_INSERT, _event_params = _insert_bound(ApplicationEvent.__table__, "event")
_AUDIT_INSERT, _audit_params = _insert_bound(AuditEvent.__table__, "audit")
_OUTBOX_INSERT, _outbox_params = _insert_bound(OutboxEvent.__table__, "outbox")


def _submission_statement():
    """The dossier, its items (unnest of arrays, so any number of items is the same
    statement), its submitted event, the audit row and the outbox event as ONE statement of
    data-modifying CTEs (foreign keys are checked at its end). Built once: SQLAlchemy compiles
    it once and caches it."""
    items = func.unnest(*(cast(bindparam(name), ARRAY(type_)) for name, type_ in (
        ("item_positions", Integer), ("item_descriptions", Text), ("item_amounts", MONEY)))
    ).table_valued("position", "description", "claimed_amount").render_derived(name="item")
    steps = [
        _APPLICATION_INSERT,
        insert(DamageItem.__table__).from_select(
            ["application_id", "position", "description", "claimed_amount"],
            select(bindparam("app_id", type_=Application.id.type),  # the dossier's id
                   items.c.position,
                   items.c.description, items.c.claimed_amount)),
        _EVENT_INSERT,
        _AUDIT_INSERT,
    ]
    return _OUTBOX_INSERT.add_cte(*(step.cte(f"step_{index}") for index, step in enumerate(steps)))


SUBMISSION_STATEMENT = _submission_statement()


@dataclass
class Submission:
    """A checked submission: the rows to insert and the response they make (built from the
    rows themselves, so nothing is read back after the insert)."""

    application: dict
    items: list[dict]
    event: dict
    outbox: dict
    out: ApplicationOut


async def prepare_submission(session: AsyncSession, body: ApplicationIn, principal: Principal,
                             clock: Clock) -> Submission:
    """Every guard of a submission, and its rows; one query (the disaster, with the rule-set
    catalogue's stamp so the cached catalogue is checked in the same round trip)."""
    found = (await session.execute(select(Disaster, rules.CATALOGUE_STAMP).where(
        Disaster.id == body.disaster_id))).one_or_none()
    if found is None:
        raise ProblemError(404, "NOT_FOUND", "disaster not found")
    disaster, stamp = found
    municipality = canonical_one(body.municipality_nis)
    applicant_sub, applicant_org, channel, received_at = _applicant(principal, body, municipality,
                                                                    clock)
    check_scope(disaster, municipality, body.damage_date)
    content = rules.content_of(await rules.current_for_event(session, disaster.event_start, stamp))
    crop_rules = content.calculation_rules().crop_rules
    probe = calculation.CalculationInput(
        category=body.category.value, phenomenon=disaster.phenomenon, damage_date=body.damage_date,
        damage_amount=Decimal(0), crop_insurable_in_principle=body.crop_insurable_in_principle)
    if calculation.transitional_regime_ended(probe, crop_rules):
        raise ProblemError(422, "TRANSITIONAL_REGIME_ENDED",
                           "in-principle insurable crop damage is compensated only for damage up "
                           f"to {crop_rules.transitional_to} (transitional regime)")  # type: ignore[union-attr]
    timeliness = deadlines.check_application_timing(
        received_at, disaster.publication_date, content.windows(),  # type: ignore[arg-type]
        impediment_ended_on=body.impediment_ended_on, late_motivation=body.late_motivation)
    late = timeliness is deadlines.Timeliness.late
    now = clock.now()
    state = A.late_review if late else A.submitted
    application = dict(
        id=uuid.uuid4(), disaster_id=disaster.id, applicant_sub=applicant_sub,
        applicant_org=applicant_org, applicant_name=body.applicant_name, channel=channel.value,
        received_at=received_at, received_on=brussels_date(received_at),
        municipality_nis=municipality, damage_date=body.damage_date,
        category=body.category.value, description=body.description, insured=body.insured,
        insurer_name=body.insurer_name, insurance_compensation=body.insurance_compensation,
        insurer_attest_received_on=body.insurer_attest_received_on,
        crop_area_ha=body.crop_area_ha, insured_crop_area_ha=body.insured_crop_area_ha,
        crop_insurable_in_principle=body.crop_insurable_in_principle,
        priority_requested=body.priority_requested, priority_reason=body.priority_reason,
        is_late=late, late_motivation=body.late_motivation if late else None,
        impediment_ended_on=body.impediment_ended_on if late else None,
        claimed_total=sum((item.claimed_amount for item in body.items), Decimal("0.00")),
        state=state.value, state_changed_at=now, version=1,
        one_year_mark=deadlines.one_year_mark(disaster.publication_date),  # type: ignore[arg-type]
        paid_amount=Decimal("0.00"), recovered_amount=Decimal("0.00"), paused_days=0,
        phase=PHASE_OF_STATE[state].value, phase_entered_at=received_at, phase_paused_days=0,
    )
    items = [dict(application_id=application["id"], position=index,
                  description=item.description, claimed_amount=item.claimed_amount)
             for index, item in enumerate(body.items, start=1)]
    event = dict(application_id=application["id"], occurred_at=received_at, actor=principal.sub,
                 action="submitted", from_state=None, to_state=state.value, reason=None,
                 data={"channel": channel.value, "late": late})
    outbox = outbox_row("application.submitted", subject=application["id"], org=applicant_org,
                        data={"disaster_id": str(disaster.id), "late": late})
    out = ApplicationOut.model_validate({**application, **_NOT_YET_SET, "items": items})
    return Submission(application, items, event, outbox, out)


async def insert_submission(session: AsyncSession, submission: Submission) -> None:
    """One round trip. Its stats trigger takes the disaster's KPI counter rows: callers make
    it the last statement before COMMIT."""
    event, items = submission.event, submission.items
    audit = audit_row(entity_type="application", entity_id=event["application_id"],
                      action=event["action"], to_state=event["to_state"], data=event["data"],
                      actor=event["actor"])
    await session.execute(SUBMISSION_STATEMENT, {
        **_application_params(submission.application), **_event_params(event),
        **_audit_params(audit), **_outbox_params(submission.outbox),
        "item_positions": [item["position"] for item in items],
        "item_descriptions": [item["description"] for item in items],
        "item_amounts": [item["claimed_amount"] for item in items],
    })


# --- the one place where a state changes ----------------------------------------------------

async def _log(session: AsyncSession, application: Application, action: str, from_state: str | None,
               to_state: str | None, actor: str, at: datetime, reason: str | None = None,
               data: dict | None = None) -> None:
    session.add(ApplicationEvent(application_id=application.id, occurred_at=at, actor=actor,
                                 action=action, from_state=from_state, to_state=to_state,
                                 reason=reason, data=data))
    await record_audit(session, entity_type="application", entity_id=application.id,
                       action=action, from_state=from_state, to_state=to_state, reason=reason,
                       data=data, actor=actor)


async def change_state(session: AsyncSession, application: Application, target: ApplicationState,
                       *, actor: str, at: datetime, reason: str | None = None,
                       data: dict | None = None) -> None:
    current = ApplicationState(application.state)
    ensure_application_transition(current, target)
    if current in AUTO_PAUSES or target in TERMINAL_APPLICATION_STATES:
        await _close_open_pause(session, application, at)
    application.state = target.value
    application.state_changed_at = at
    application.version += 1
    phase = PHASE_OF_STATE[target]
    new_phase = phase.value if phase else None
    if new_phase != application.phase:
        await _record_phase_exit(session, application, at)
        application.phase = new_phase
        application.phase_entered_at = at if new_phase else None
        application.phase_paused_days = 0
    if target in AUTO_PAUSES:
        await _close_open_pause(session, application, at)  # an explicit pause gives way
        await _open_pause(session, application, AUTO_PAUSES[target].value, at, actor)
    await _log(session, application, "transition", current.value, target.value, actor, at,
               reason, data)
    await emit_event(session, f"application.{target.value}", subject=application.id,
                     data={"from_state": current.value}, org=application.applicant_org)


async def _record_phase_exit(session: AsyncSession, application: Application, at: datetime) -> None:
    """Add the phase just left to the per-phase lead-time sums (gross and net of pauses)."""
    if application.phase is None or application.phase_entered_at is None:
        return
    entered = brussels_date(application.phase_entered_at)
    left = brussels_date(at)
    gross = max(0, (left - entered).days)
    open_days = 0
    if application.open_pause_started_at is not None:
        open_days = max(0, (left - max(entered, brussels_date(application.open_pause_started_at))).days)
    net = gross - application.phase_paused_days - open_days
    stmt = pg_insert(PhaseDurationStats).values(
        disaster_id=application.disaster_id, phase=application.phase, spans=1,
        gross_days_sum=gross, net_days_sum=net)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[PhaseDurationStats.disaster_id, PhaseDurationStats.phase],
        set_={"spans": PhaseDurationStats.spans + 1,
              "gross_days_sum": PhaseDurationStats.gross_days_sum + gross,
              "net_days_sum": PhaseDurationStats.net_days_sum + net}))


def complete(application: Application, kind: str, on: date) -> None:
    """Record the KPI's completion once; later appeals or recoveries never un-complete."""
    if application.completed_on is not None:
        return
    application.completed_on = on
    application.completion_kind = kind
    application.completed_on_time = on <= application.one_year_mark
    gross = (on - application.received_on).days
    open_days = 0
    if application.open_pause_started_at is not None:
        open_days = max(0, (on - brussels_date(application.open_pause_started_at)).days)
    application.lead_gross_days = gross
    application.lead_net_days = gross - application.paused_days - open_days


# --- pauses ---------------------------------------------------------------------------------

async def _open_pause(session: AsyncSession, application: Application, reason: str,
                      at: datetime, actor: str, note: str | None = None) -> Pause:
    pause = Pause(application_id=application.id, reason=reason, started_at=at, note=note,
                  created_by=actor)
    session.add(pause)
    application.open_pause_started_at = at
    await session.flush()
    return pause


def _count_closed_pause(application: Application, start: datetime, end: datetime) -> None:
    days = (brussels_date(end) - brussels_date(start)).days
    application.paused_days += max(0, days)
    if application.phase_entered_at is not None:
        from_day = max(brussels_date(start), brussels_date(application.phase_entered_at))
        application.phase_paused_days += max(0, (brussels_date(end) - from_day).days)


async def _close_open_pause(session: AsyncSession, application: Application, at: datetime) -> None:
    pause = await session.scalar(select(Pause).where(Pause.application_id == application.id,
                                                     Pause.ended_at.is_(None)))
    if pause is None:
        return
    pause.ended_at = max(at, pause.started_at)
    application.open_pause_started_at = None
    _count_closed_pause(application, pause.started_at, pause.ended_at)


async def pauses_of(session: AsyncSession, application_id: uuid.UUID) -> list[Pause]:
    return list((await session.scalars(select(Pause).where(Pause.application_id == application_id)
                                       .order_by(Pause.started_at))).all())


async def add_pause(session: AsyncSession, application: Application, body: PauseIn, actor: str,
                    clock: Clock) -> Pause:
    turnaround.check_pause_reason(body.reason)
    if ApplicationState(application.state) in (A.paid, A.inadmissible, A.withdrawn):
        raise ProblemError(409, "APPLICATION_CLOSED", "the dossier is closed")
    now = clock.now()
    start = body.started_at or now
    if start > now or (body.ended_at is not None and body.ended_at > now):
        raise ProblemError(422, "INVALID_PAUSE", "a pause cannot lie in the future")
    if start < application.received_at:
        raise ProblemError(422, "INVALID_PAUSE", "a pause cannot start before the application")
    existing = [turnaround.PauseSpan(p.started_at, p.ended_at)
                for p in await pauses_of(session, application.id)]
    turnaround.check_no_overlap(existing, turnaround.PauseSpan(start, body.ended_at), now)
    pause = await _open_pause(session, application, body.reason, start, actor, body.note)
    if body.ended_at is not None:
        pause.ended_at = body.ended_at
        application.open_pause_started_at = None
        _count_closed_pause(application, start, body.ended_at)
    application.version += 1
    await _log(session, application, "pause_started", application.state, application.state, actor,
               now, body.reason, {"pause_id": str(pause.id)})
    return pause


async def end_pause(session: AsyncSession, application: Application, pause_id: uuid.UUID,
                    ended_at: datetime | None, actor: str, clock: Clock) -> Pause:
    pause = await session.scalar(select(Pause).where(Pause.id == pause_id,
                                                     Pause.application_id == application.id))
    if pause is None:
        raise ProblemError(404, "NOT_FOUND", "pause not found")
    if pause.ended_at is not None:
        raise ProblemError(409, "PAUSE_ALREADY_ENDED", "this pause has ended")
    now = clock.now()
    end = ended_at or now
    if end <= pause.started_at or end > now:
        raise ProblemError(422, "INVALID_PAUSE", "a pause ends after it starts and not in the future")
    pause.ended_at = end
    application.open_pause_started_at = None
    _count_closed_pause(application, pause.started_at, end)
    application.version += 1
    await _log(session, application, "pause_ended", application.state, application.state, actor,
               now, pause.reason, {"pause_id": str(pause.id)})
    return pause


# --- generic transitions --------------------------------------------------------------------

_APPLICANT_TARGETS = {A.report_accepted, A.report_contested, A.withdrawn}


def _is_applicant(principal: Principal, application: Application) -> bool:
    if principal.has_any(roles.MUNICIPALITY) and application.applicant_org:
        return application.applicant_org == principal.org
    return application.applicant_sub == principal.sub


async def transition(session: AsyncSession, application: Application,
                     body: ApplicationTransitionIn, principal: Principal, clock: Clock) -> None:
    target = body.to_state
    if target not in GENERIC_APPLICATION_TARGETS:
        raise ProblemError(409, "ILLEGAL_TRANSITION",
                           f"{target.value} is reached through its own resource "
                           "(expert report, decision, appeal or payment)",
                           from_state=application.state, to_state=target.value)
    staff = principal.has_any(*roles.STAFF)
    if not staff and not (target in _APPLICANT_TARGETS and _is_applicant(principal, application)):
        raise ProblemError(403, "FORBIDDEN", f"your role cannot move a dossier to {target.value}")
    ensure_application_transition(ApplicationState(application.state), target)
    now = clock.now()
    today = brussels_date(now)
    data: dict = {}
    match target:
        case A.intake:
            application.handler_sub = body.handler_sub or application.handler_sub or principal.sub
            if application.dossier_number is None:
                application.dossier_number = await next_number(session, "VRF", today.year)
            data = {"handler_sub": application.handler_sub}
        case A.expert_assigned:
            if not body.expert_sub:
                raise ProblemError(422, "EXPERT_REQUIRED", "expert_sub is required")
            application.expert_sub = body.expert_sub
            data = {"expert_sub": body.expert_sub}
        case A.inadmissible:
            if not (body.reason or "").strip():
                raise ProblemError(422, "REASON_REQUIRED", "a reason is required")
            complete(application, "inadmissible", body.on or today)
        case A.report_accepted | A.report_contested:
            report = await latest_report(session, application.id)
            if report is None:
                raise ProblemError(409, "NO_EXPERT_REPORT", "the dossier has no expert report")
            report.reaction = "accepted" if target is A.report_accepted else "contested"
            report.reacted_at = now
            if target is A.report_accepted:
                application.assessed_amount = report.assessed_amount
        case A.decision_notified:
            await _notify_decision(session, application, body.on or today)
        case A.final:
            await _ensure_no_open_appeal(session, application)
        case A.withdrawn | A.rectifying | A.waiting_for_documents:
            if target is A.withdrawn and not (body.reason or "").strip():
                raise ProblemError(422, "REASON_REQUIRED", "a reason is required")
    await change_state(session, application, target, actor=principal.sub, at=now,
                       reason=body.reason, data=data or None)


async def lock_in_order(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Lock many dossiers in id order before changing them (no deadlock with single changes,
    which lock one dossier and then its disaster's stats row)."""
    await session.execute(select(Application.id).where(Application.id.in_(ids))
                          .order_by(Application.id).with_for_update())


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


# --- expert reports and deemed acceptance ---------------------------------------------------

async def latest_report(session: AsyncSession, application_id: uuid.UUID) -> ExpertReport | None:
    return await session.scalar(select(ExpertReport).where(
        ExpertReport.application_id == application_id)
        .order_by(ExpertReport.created_at.desc(), ExpertReport.id).limit(1))


async def send_expert_report(session: AsyncSession, application: Application, body: ExpertReportIn,
                             principal: Principal, clock: Clock) -> ExpertReport:
    if application.expert_sub != principal.sub:
        raise ProblemError(404, "NOT_FOUND", "application not found")
    ensure_application_transition(ApplicationState(application.state), A.report_sent)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    now = clock.now()
    sent_on = brussels_date(now)
    deadline = deadlines.term_end(sent_on, content.expert_report_reaction_months)
    report = ExpertReport(application_id=application.id, expert_sub=principal.sub,
                          assessed_amount=body.assessed_amount, summary=body.summary,
                          sent_on=sent_on, reaction_deadline=deadline, created_at=now)
    session.add(report)
    await session.flush()
    await change_state(session, application, A.report_sent, actor=principal.sub, at=now,
                       data={"expert_report_id": str(report.id)})
    # Silence means acceptance: the job runs at the start of the day after the term.
    await enqueue(session, DEEMED_ACCEPTANCE_TASK,
                  {"application_id": str(application.id), "expert_report_id": str(report.id)},
                  run_at=start_of_day(deadlines.day_after(deadline)),
                  dedupe_key=f"{DEEMED_ACCEPTANCE_TASK}:{report.id}")
    return report


async def deem_report_accepted(session: AsyncSession, payload: dict, clock: Clock) -> None:
    """The scheduled job: still no reaction after the term -> accepted, actor `system`."""
    application = await session.scalar(select(Application).where(
        Application.id == uuid.UUID(payload["application_id"])).with_for_update())
    if application is None or application.state != A.report_sent:
        return
    report = await latest_report(session, application.id)
    if report is None or str(report.id) != payload["expert_report_id"] or report.reaction:
        return
    now = clock.now()
    if brussels_date(now) <= report.reaction_deadline:
        return
    report.reaction = "deemed_accepted"
    report.reacted_at = now
    application.assessed_amount = report.assessed_amount
    await change_state(session, application, A.report_accepted, actor=SYSTEM_ACTOR, at=now,
                       reason="deemed_accepted",
                       data={"expert_report_id": str(report.id),
                             "reaction_deadline": report.reaction_deadline.isoformat()})


# --- decisions ------------------------------------------------------------------------------

def calculation_input(application: Application, disaster: Disaster,
                      assessed: Decimal | None = None) -> calculation.CalculationInput:
    damage = assessed if assessed is not None else application.assessed_amount
    return calculation.CalculationInput(
        category=application.category, phenomenon=disaster.phenomenon,
        damage_date=application.damage_date,
        damage_amount=damage if damage is not None else application.claimed_total,
        insurance_compensation=application.insurance_compensation,
        crop_area_ha=application.crop_area_ha, insured_crop_area_ha=application.insured_crop_area_ha,
        crop_insurable_in_principle=application.crop_insurable_in_principle,
    )


async def decisions_of(session: AsyncSession, application_id: uuid.UUID) -> list[Decision]:
    return list((await session.scalars(select(Decision).where(
        Decision.application_id == application_id).order_by(Decision.version))).all())


async def current_decision(session: AsyncSession, application: Application) -> Decision:
    decision = await session.scalar(select(Decision).where(
        Decision.application_id == application.id,
        Decision.version == application.decision_version))
    if decision is None:
        raise ProblemError(409, "NO_DECISION", "the dossier has no decision yet")
    return decision


async def _add_decision(session: AsyncSession, application: Application, *, kind: str,
                        rule_set_id: int, amount: Decimal, reason_code: str | None, inputs: dict,
                        breakdown: dict, actor: str, at: datetime) -> Decision:
    version = (application.decision_version or 0) + 1
    decision = Decision(application_id=application.id, version=version, kind=kind,
                        rule_set_id=rule_set_id, amount=amount, reason_code=reason_code,
                        inputs=inputs, breakdown=breakdown, decided_at=at, decided_by=actor)
    session.add(decision)
    await session.flush()
    application.decision_version = version
    application.decided_amount = amount
    return decision


async def decide(session: AsyncSession, application: Application, body: DecisionIn,
                 principal: Principal, clock: Clock) -> Decision:
    current = ApplicationState(application.state)
    ensure_application_transition(current, A.decided)
    if body.assessed_amount is not None and current is not A.rectifying:
        raise ProblemError(422, "RECTIFICATION_ONLY",
                           "a corrected damage amount is given in a rectification only")
    disaster = await disasters.get(session, application.disaster_id)
    rule_set, content = await rule_set_for(session, disaster)
    inputs = calculation_input(application, disaster, body.assessed_amount)
    if body.reject_reason:
        result = calculation.CalculationResult(Decimal("0.00"), "REJECTED",
                                               [{"step": "rejected", "reason": body.reject_reason}])
    else:
        result = calculation.compute(inputs, content.calculation_rules())
    now = clock.now()
    decision = await _add_decision(
        session, application, kind="rectification" if current is A.rectifying else "initial",
        rule_set_id=rule_set.id, amount=result.amount, reason_code=result.reason_code,
        inputs=inputs.to_json(), breakdown=result.breakdown(), actor=principal.sub, at=now)
    if body.assessed_amount is not None:
        application.assessed_amount = body.assessed_amount
    await change_state(session, application, A.decided, actor=principal.sub, at=now,
                       data={"decision_version": decision.version, "amount": str(result.amount),
                             "rule_set_id": rule_set.id})
    return decision


async def recompute(session: AsyncSession, decision: Decision) -> calculation.CalculationResult:
    """Recompute a stored decision from its stored inputs and its own rule-set version."""
    if decision.reason_code == "REJECTED" or decision.kind == "judgment":
        return calculation.CalculationResult(decision.amount, decision.reason_code)
    rule_set = await rules.get(session, decision.rule_set_id)
    return calculation.compute(calculation.CalculationInput.from_json(decision.inputs),
                               rules.content_of(rule_set).calculation_rules())


async def _notify_decision(session: AsyncSession, application: Application, received_on: date) -> None:
    decision = await current_decision(session, application)
    decision.received_on = received_on
    if decision.amount == 0:
        complete(application, "rejected", received_on)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    term = deadlines.term_end(received_on, max(content.appeal_months, content.rectification_months))
    await enqueue(session, FINALITY_TASK,
                  {"application_id": str(application.id), "decision_version": decision.version},
                  run_at=start_of_day(deadlines.day_after(term)),
                  dedupe_key=f"{FINALITY_TASK}:{application.id}:{decision.version}")


async def finalise_after_term(session: AsyncSession, payload: dict, clock: Clock) -> None:
    """The scheduled job: 1 month after receipt without appeal or rectification -> final."""
    application = await session.scalar(select(Application).where(
        Application.id == uuid.UUID(payload["application_id"])).with_for_update())
    if (application is None or application.state != A.decision_notified
            or application.decision_version != payload["decision_version"]):
        return
    await change_state(session, application, A.final, actor=SYSTEM_ACTOR, at=clock.now(),
                       reason="no_appeal_within_term")


# --- appeals --------------------------------------------------------------------------------

async def open_appeal(session: AsyncSession, application_id: uuid.UUID) -> Appeal | None:
    return await session.scalar(select(Appeal).where(Appeal.application_id == application_id,
                                                     Appeal.status == "open"))


async def _ensure_no_open_appeal(session: AsyncSession, application: Application) -> None:
    if await open_appeal(session, application.id) is not None:
        raise ProblemError(409, "APPEAL_PENDING", "an appeal against the decision is pending")


async def lodge_appeal(session: AsyncSession, application: Application, body: AppealIn,
                       principal: Principal, clock: Clock) -> Appeal:
    ensure_application_transition(ApplicationState(application.state), A.in_appeal)
    decision = await current_decision(session, application)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    received = decision.received_on or brussels_date(decision.decided_at)
    if body.lodged_on < received:
        raise ProblemError(422, "INVALID_DATE", "an appeal cannot precede receipt of the decision")
    out_of_time = body.lodged_on > deadlines.term_end(received, content.appeal_months)
    now = clock.now()
    appeal = Appeal(application_id=application.id, decision_version=decision.version,
                    lodged_on=body.lodged_on, out_of_time=out_of_time, reason=body.reason,
                    status="open", created_at=now)
    session.add(appeal)
    await session.flush()
    await change_state(session, application, A.in_appeal, actor=principal.sub, at=now,
                       reason=body.reason, data={"appeal_id": str(appeal.id),
                                                 "flags": ["OUT_OF_TIME"] if out_of_time else []})
    return appeal


async def record_judgment(session: AsyncSession, application: Application, appeal_id: uuid.UUID,
                          body: JudgmentIn, principal: Principal, clock: Clock) -> Appeal:
    from disaster_fund.payments.models import Payment  # payments depend on applications

    appeal = await session.scalar(select(Appeal).where(Appeal.id == appeal_id,
                                                       Appeal.application_id == application.id))
    if appeal is None:
        raise ProblemError(404, "NOT_FOUND", "appeal not found")
    if appeal.status != "open":
        raise ProblemError(409, "APPEAL_CLOSED", "the judgment was already recorded")
    ensure_application_transition(ApplicationState(application.state), A.final)
    previous = await current_decision(session, application)
    now = clock.now()
    decision = await _add_decision(
        session, application, kind="judgment", rule_set_id=previous.rule_set_id,
        amount=body.amount, reason_code="COURT_JUDGMENT", inputs=previous.inputs,
        breakdown={"amount": str(body.amount), "judgment_on": body.judgment_on.isoformat(),
                   "appeal_id": str(appeal.id)}, actor=principal.sub, at=now)
    decision.received_on = body.judgment_on
    appeal.status = "judged"
    appeal.judgment_on = body.judgment_on
    appeal.judgment_amount = body.amount
    # A payment ordered for an earlier version is void: the judgment's version is paid instead.
    for payment in (await session.scalars(select(Payment).where(
            Payment.application_id == application.id, Payment.state == "ordered"))).all():
        payment.state = "cancelled"
    if body.amount == 0:
        complete(application, "rejected", body.judgment_on)
    await change_state(session, application, A.final, actor=principal.sub, at=now,
                       reason="court_judgment", data={"decision_version": decision.version})
    return appeal


# --- turnaround -----------------------------------------------------------------------------

async def turnaround_of(session: AsyncSession, application: Application, content: RuleSetContent,
                        clock: Clock) -> dict:
    events = (await session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id,
        ApplicationEvent.to_state.is_not(None),
        ApplicationEvent.action.in_(["submitted", "transition"]))
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))).all()
    entries = [turnaround.StateEntry(e.occurred_at, e.to_state) for e in events]  # type: ignore[arg-type]
    if entries and events[0].action == "submitted":  # the clock starts at receipt (paper: earlier)
        entries[0] = turnaround.StateEntry(application.received_at, entries[0].state)
    pauses = [turnaround.PauseSpan(p.started_at, p.ended_at)
              for p in await pauses_of(session, application.id)]
    now = clock.now()
    spans = turnaround.phase_spans(entries, pauses, now)
    end = application.completed_on or today_brussels(clock)
    gross = (end - application.received_on).days
    net = gross - turnaround.paused_days(application.received_on, end, pauses, today_brussels(clock))
    current = spans[-1] if spans and spans[-1].left_on is None else None
    norm = None
    if current is not None:
        norm_days = content.phase_norms_days[turnaround.Phase(current.phase)]
        norm = turnaround.norm_status(current.net_days, norm_days, content.norm_warning_days)
    return {
        "application_id": application.id,
        "spans": [span.__dict__ for span in spans],
        "totals": turnaround.totals(spans),
        "gross_days": gross, "net_days": net,
        "current_phase": current.phase if current else None,
        "current_norm_days": norm.norm_days if norm else None,
        "current_norm_status": norm.status if norm else None,
    }


async def count_open(session: AsyncSession, disaster_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).select_from(Application).where(
        Application.disaster_id == disaster_id, Application.completed_on.is_(None),
        Application.state.not_in([A.withdrawn.value, A.inadmissible.value]))) or 0)
