import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Path
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy import select

from disaster_fund import norms
from disaster_fund import roles
from disaster_fund.applications import history
from disaster_fund.applications import oversight
from disaster_fund.applications import review
from disaster_fund.applications import service
from disaster_fund.applications import work_list
from disaster_fund.applications.models import Appeal
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ExpertReport
from disaster_fund.applications.schemas import AppealIn
from disaster_fund.applications.schemas import AppealOut
from disaster_fund.applications.schemas import AppealReportRow
from disaster_fund.applications.schemas import ApplicationCorrectionIn
from disaster_fund.applications.schemas import ApplicationIn
from disaster_fund.applications.schemas import ApplicationOut
from disaster_fund.applications.schemas import ApplicationTransitionIn
from disaster_fund.applications.schemas import BulkExpertAssignmentIn
from disaster_fund.applications.schemas import BulkItemResult
from disaster_fund.applications.schemas import BulkResult
from disaster_fund.applications.schemas import Category
from disaster_fund.applications.schemas import DamageItemOut
from disaster_fund.applications.schemas import DecisionIn
from disaster_fund.applications.schemas import DecisionOut
from disaster_fund.applications.schemas import DecisionReviewIn
from disaster_fund.applications.schemas import ExpertFollowUpOut
from disaster_fund.applications.schemas import ExpertReportIn
from disaster_fund.applications.schemas import ExpertReportOut
from disaster_fund.applications.schemas import HistoryImportIn
from disaster_fund.applications.schemas import HistoryImportOut
from disaster_fund.applications.schemas import JudgmentIn
from disaster_fund.applications.schemas import NormAlertOut
from disaster_fund.applications.schemas import PauseEndIn
from disaster_fund.applications.schemas import PauseIn
from disaster_fund.applications.schemas import PauseOut
from disaster_fund.applications.schemas import RecomputationOut
from disaster_fund.applications.schemas import TurnaroundOut
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import Phase
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import paginate

router = APIRouter(prefix="/v1/applications", tags=["applications"])
Applicant = Annotated[Principal, Depends(require_roles(roles.CITIZEN, roles.MUNICIPALITY,
                                                       *roles.STAFF))]
Reader = Annotated[Principal, Depends(require_roles(*roles.ANY_VRF))]
Staff = Annotated[Principal, Depends(require_roles(*roles.STAFF))]
Manager = Annotated[Principal, Depends(require_roles(roles.MANAGER))]
Expert = Annotated[Principal, Depends(require_roles(roles.EXPERT))]
VersionPath = Annotated[int, Path(ge=1, le=10_000)]


async def _out(session, application: Application, with_items: bool = True) -> ApplicationOut:
    out = ApplicationOut.model_validate(application)
    if with_items:
        out.items = [DamageItemOut.model_validate(i)
                     for i in await service.items_of(session, application.id)]
    return out


def _appeal_out(appeal: Appeal) -> AppealOut:
    out = AppealOut.model_validate(appeal)
    out.flags = ["OUT_OF_TIME"] if appeal.out_of_time else []
    return out


@router.post("", response_model=ApplicationOut, status_code=201,
             responses=responses(Errors.DISASTER_NOT_RECOGNISED, Errors.OUTSIDE_RECOGNITION_SCOPE,
                                 Errors.APPLICATION_DEADLINE_PASSED, Errors.TRANSITIONAL_REGIME_ENDED,
                                 Errors.PAPER_APPLICATION_FIELDS_REQUIRED,
                                 Errors.PAPER_FIELDS_NOT_ALLOWED, Errors.CATEGORY_NOT_ALLOWED,
                                 Errors.NOT_OWN_MUNICIPALITY, Errors.PRIORITY_REASON_REQUIRED,
                                 Errors.INSURANCE_INCONSISTENT, Errors.UNKNOWN_MUNICIPALITY,
                                 KitErrors.NOT_FOUND, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_ORIGIN, *AUTH_ERRORS))
async def submit_application(body: ApplicationIn, session: DbSession, idem: IdempotencyDep,
                             principal: Applicant, clock: ClockDep):
    """Submit online (applicant) or register a paper application (handler, with received_at)."""
    if idem.replay is not None:
        return idem.replay
    submission = await service.prepare_submission(session, body, principal, clock)
    # The stored response first: the insert takes the disaster's KPI counter rows (stats
    # trigger), so it goes last and holds them only until the COMMIT.
    response = await idem.respond(201, submission.out,
                                  headers={"ETag": f'"{submission.out.version}"'})
    await service.insert_submission(session, submission)
    return response


@router.get("", response_model=Page[ApplicationOut])
async def list_applications(
    session: DbSession, page: Pagination, principal: Reader, clock: ClockDep,
    disaster_id: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[ApplicationState | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    municipality_nis: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    expert_sub: Annotated[str | None, Query(max_length=200)] = None,
    late: Annotated[bool | None, Query()] = None,
    mine: Annotated[bool, Query(description="my dossiers (handler; an expert: assigned)")] = False,
    priority: Annotated[bool | None, Query(description="priority requests only")] = None,
    phase: Annotated[Phase | None, Query()] = None,
    norm_status: Annotated[str | None, Query(pattern="^(at_risk|overdue)$")] = None,
    q: Annotated[str | None, Query(min_length=2, max_length=100,
                                   description="dossier number or applicant (name or id)")] = None,
) -> Page[ApplicationOut]:
    """The work list: priority dossiers first, then by receipt."""
    filters = work_list.WorkListFilter(
        mine=mine, priority=priority, phase=phase.value if phase else None,
        norm_status=norm_status, q=q, columns=(
            (Application.disaster_id, disaster_id), (Application.category, category and category.value),
            (Application.state, state and state.value),
            (Application.municipality_nis, municipality_nis),
            (Application.expert_sub, expert_sub), (Application.is_late, late)))
    stmt = await work_list.statement(session, principal, filters, today_brussels(clock))
    rows, total = await paginate(session, stmt, page)
    return Page.of([await _out(session, r, with_items=False) for r in rows], total, page)


@router.get("/norm-alerts", response_model=Page[NormAlertOut])
async def list_norm_alerts(
    session: DbSession, page: Pagination, _: Staff, clock: ClockDep,
    status: Annotated[str, Query(pattern="^(at_risk|overdue)$")] = "overdue",
    disaster_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[NormAlertOut]:
    """Open dossiers near (at_risk) or past (overdue) their current phase's norm (net days)."""
    rows, total = await norms.alerts(session, status, today_brussels(clock), page.limit,
                                     page.offset, disaster_id)
    items = [NormAlertOut(**{k: v for k, v in r.items() if k in NormAlertOut.model_fields},
                          net_days_in_phase=r["net_days"], norm_days=r["norm"]) for r in rows]
    return Page.of(items, total, page)


@router.post("/history", response_model=HistoryImportOut, status_code=201,
             responses=responses(Errors.HISTORY_INCONSISTENT, Errors.DOSSIER_NUMBER_TAKEN,
                                 Errors.DISASTER_NOT_RECOGNISED, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_ORIGIN,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS))
async def import_history(body: HistoryImportIn, session: DbSession, principal: Manager,
                         clock: ClockDep) -> HistoryImportOut:
    """Record the past: historic dossiers with their dates, all or nothing (audited)."""
    rows = await history.import_history(session, body.dossiers, principal, clock)
    return HistoryImportOut(imported=len(rows), application_ids=[r.id for r in rows])


@router.get("/reports/experts", response_model=list[ExpertFollowUpOut])
async def expert_follow_up_report(session: DbSession, _: Staff,
                                  clock: ClockDep) -> list[ExpertFollowUpOut]:
    """Follow-up of the external experts: workload, lead time to the report, overdue."""
    return [ExpertFollowUpOut(**row)
            for row in await oversight.expert_follow_up(session, today_brussels(clock))]


@router.get("/reports/appeals", response_model=Page[AppealReportRow])
async def appeals_report(session: DbSession, page: Pagination, _: Staff) -> Page[AppealReportRow]:
    """Appeals and court cases across dossiers, newest first."""
    rows, total = await oversight.appeals_report(session, page.limit, page.offset)
    return Page.of(rows, total, page, out=AppealReportRow)


@router.post("/bulk/expert-assignment", response_model=BulkResult)
async def assign_expert_in_bulk(body: BulkExpertAssignmentIn, session: DbSession,
                                principal: Staff, clock: ClockDep) -> BulkResult:
    results = await service.bulk_assign_expert(session, body.application_ids, body.expert_sub,
                                               principal, clock)
    ok = sum(1 for r in results if r["ok"])
    return BulkResult(succeeded=ok, failed=len(results) - ok,
                      results=[BulkItemResult(**r) for r in results])


@router.get("/{application_id}", response_model=ApplicationOut, dependencies=[RETURNS_ETAG])
async def get_application(application_id: uuid.UUID, session: DbSession, principal: Reader,
                          response: Response) -> ApplicationOut:
    application = await service.get(session, application_id, principal)
    set_etag(response, application.version)
    return await _out(session, application)


@router.patch("/{application_id}", response_model=ApplicationOut,
              responses=responses(Errors.APPLICATION_CLOSED, Errors.INSURANCE_INCONSISTENT,
                                  Errors.PAYEE_INCONSISTENT, Errors.CORRECTION_NOT_ALLOWED,
                                  KitErrors.NOT_FOUND, KitErrors.INVALID_IBAN,
                                  KitErrors.DATE_IN_FUTURE, *IF_MATCH_ERRORS, *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def correct_application(application_id: uuid.UUID, body: ApplicationCorrectionIn,
                              request: Request, session: DbSession, principal: Staff,
                              clock: ClockDep, response: Response) -> ApplicationOut:
    """Correct facts after submission (insurance payout, contact, payee); If-Match required.
    A changed amount after a decision yields a new decision version."""
    application = await lock_for_change(session, Application, application_id, request,
                                        what="application")
    await service.correct(session, application, body, principal, clock)
    set_etag(response, application.version)
    return await _out(session, application)


@router.post("/{application_id}/transitions", response_model=ApplicationOut,
             responses=responses(KitErrors.ILLEGAL_TRANSITION, KitErrors.NOT_FOUND,
                                 Errors.REASON_REQUIRED, Errors.EXPERT_REQUIRED, Errors.NO_EXPERT_REPORT,
                                 Errors.NO_DECISION, Errors.APPEAL_PENDING, KitErrors.DATE_IN_FUTURE,
                                 Errors.REQUIRED_DOCUMENTS_MISSING,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS),
             dependencies=[RETURNS_ETAG])
async def transition_application(application_id: uuid.UUID, body: ApplicationTransitionIn,
                                 session: DbSession, principal: Reader, clock: ClockDep,
                                 response: Response) -> ApplicationOut:
    """Lifecycle steps; illegal ones answer 409 ILLEGAL_TRANSITION."""
    application = await service.get(session, application_id, principal, for_update=True)
    await service.transition(session, application, body, principal, clock)
    set_etag(response, application.version)
    return await _out(session, application)


@router.get("/{application_id}/pauses", response_model=list[PauseOut])
async def list_pauses(application_id: uuid.UUID, session: DbSession,
                      principal: Reader) -> list[PauseOut]:
    await service.get(session, application_id, principal)
    return [PauseOut.model_validate(p) for p in await service.pauses_of(session, application_id)]


@router.post("/{application_id}/pauses", response_model=PauseOut, status_code=201,
             responses=responses(Errors.PAUSE_REASON_NOT_ALLOWED, Errors.APPLICATION_CLOSED,
                                 Errors.PAUSE_OVERLAP, Errors.INVALID_PAUSE, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_BEFORE_ORIGIN, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS))
async def start_pause(application_id: uuid.UUID, body: PauseIn, session: DbSession,
                      principal: Staff, clock: ClockDep) -> PauseOut:
    """Pause the clock for a wait on the applicant (other reasons: 422 PAUSE_REASON_NOT_ALLOWED)."""
    application = await service.get(session, application_id, principal, for_update=True)
    return PauseOut.model_validate(
        await service.add_pause(session, application, body, principal.sub, clock))


@router.post("/{application_id}/pauses/{pause_id}/end", response_model=PauseOut,
             responses=responses(Errors.PAUSE_ALREADY_ENDED, Errors.INVALID_PAUSE, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
                                 *AUTH_ERRORS))
async def end_pause(application_id: uuid.UUID, pause_id: uuid.UUID, body: PauseEndIn,
                    session: DbSession, principal: Staff, clock: ClockDep) -> PauseOut:
    application = await service.get(session, application_id, principal, for_update=True)
    return PauseOut.model_validate(await service.end_pause(
        session, application, pause_id, body.ended_at, principal.sub, clock))


@router.get("/{application_id}/turnaround", response_model=TurnaroundOut)
async def get_turnaround(application_id: uuid.UUID, session: DbSession, principal: Reader,
                         clock: ClockDep) -> TurnaroundOut:
    """Phase durations gross and net of pauses, derived from the dossier's events."""
    application = await service.get(session, application_id, principal)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await service.rule_set_for(session, disaster)
    return TurnaroundOut(**await service.turnaround_of(session, application, content, clock))


@router.post("/{application_id}/expert-reports", response_model=ExpertReportOut, status_code=201,
             responses=responses(Errors.EXCESS_REASON_REQUIRED, KitErrors.ILLEGAL_TRANSITION,
                                 KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def send_expert_report(application_id: uuid.UUID, body: ExpertReportIn, session: DbSession,
                             principal: Expert, clock: ClockDep) -> ExpertReportOut:
    """The assigned expert's report, sent to the applicant (1 month to react; silence = accepted)."""
    application = await service.get(session, application_id, principal, for_update=True)
    return ExpertReportOut.model_validate(
        await service.send_expert_report(session, application, body, principal, clock))


@router.get("/{application_id}/expert-reports", response_model=list[ExpertReportOut])
async def list_expert_reports(application_id: uuid.UUID, session: DbSession,
                              principal: Reader) -> list[ExpertReportOut]:
    await service.get(session, application_id, principal)
    rows = (await session.scalars(select(ExpertReport).where(
        ExpertReport.application_id == application_id)
        .order_by(ExpertReport.created_at, ExpertReport.id))).all()
    return [ExpertReportOut.model_validate(r) for r in rows]


@router.post("/{application_id}/expert-reports/{report_id}/approval", response_model=ExpertReportOut,
             responses=responses(Errors.EXCESS_APPROVAL_NOT_NEEDED, Errors.SECOND_HANDLER_REQUIRED,
                                 KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def approve_expert_excess(application_id: uuid.UUID, report_id: uuid.UUID,
                                session: DbSession, principal: Staff,
                                clock: ClockDep) -> ExpertReportOut:
    """Four eyes on an expert amount far above the claim: a second handler approves it."""
    application = await service.get(session, application_id, principal, for_update=True)
    return ExpertReportOut.model_validate(
        await service.approve_excess(session, application, report_id, principal, clock))


@router.post("/{application_id}/decisions", response_model=DecisionOut, status_code=201,
             responses=responses(Errors.RECTIFICATION_ONLY, Errors.EXCESS_NOT_APPROVED,
                                 KitErrors.ILLEGAL_TRANSITION, KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def decide_application(application_id: uuid.UUID, body: DecisionIn, session: DbSession,
                             principal: Manager, clock: ClockDep) -> DecisionOut:
    """Compute a decision version with the applicable rule set (stored with the decision)."""
    application = await service.get(session, application_id, principal, for_update=True)
    return DecisionOut.model_validate(
        await service.decide(session, application, body, principal, clock))


@router.get("/{application_id}/decisions", response_model=list[DecisionOut])
async def list_decisions(application_id: uuid.UUID, session: DbSession,
                         principal: Reader) -> list[DecisionOut]:
    await service.get(session, application_id, principal)
    return [DecisionOut.model_validate(d) for d in await service.decisions_of(session, application_id)]


@router.get("/{application_id}/decisions/{version}/recomputation", response_model=RecomputationOut)
async def recompute_decision(application_id: uuid.UUID, version: VersionPath, session: DbSession,
                             principal: Staff) -> RecomputationOut:
    """Recompute a stored decision with its own inputs and rule-set version (deterministic)."""
    await service.get(session, application_id, principal)
    decision = next((d for d in await service.decisions_of(session, application_id)
                     if d.version == version), None)
    if decision is None:
        raise KitErrors.NOT_FOUND("decision version not found")
    result = await service.recompute(session, decision)
    return RecomputationOut(
        version=decision.version, rule_set_id=decision.rule_set_id, stored_amount=decision.amount,
        recomputed_amount=result.amount, stored_reason_code=decision.reason_code,
        recomputed_reason_code=result.reason_code,
        identical=(result.amount == decision.amount and result.reason_code == decision.reason_code
                   and (decision.kind == "judgment" or decision.reason_code == "REJECTED"
                        or result.breakdown() == decision.breakdown)),
    )


@router.post("/{application_id}/decisions/{version}/review", response_model=DecisionOut,
             responses=responses(Errors.REVIEW_NOT_OPEN, Errors.SECOND_PERSON_REQUIRED,
                                 KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def review_decision(application_id: uuid.UUID, version: VersionPath, body: DecisionReviewIn,
                          session: DbSession, principal: Manager, clock: ClockDep) -> DecisionOut:
    """Record the outcome of the sampled review of a decision (a second manager)."""
    application = await service.get(session, application_id, principal, for_update=True)
    return DecisionOut.model_validate(await review.record_review(
        session, application, version, body, principal, clock))


@router.post("/{application_id}/appeals", response_model=AppealOut, status_code=201,
             responses=responses(Errors.NO_DECISION, KitErrors.ILLEGAL_TRANSITION, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
                                 *AUTH_ERRORS))
async def lodge_appeal(application_id: uuid.UUID, body: AppealIn, session: DbSession,
                       principal: Staff, clock: ClockDep) -> AppealOut:
    """Record an appeal at the Court of Appeal; after the term it is flagged OUT_OF_TIME."""
    application = await service.get(session, application_id, principal, for_update=True)
    return _appeal_out(await service.lodge_appeal(session, application, body, principal, clock))


@router.get("/{application_id}/appeals", response_model=list[AppealOut])
async def list_appeals(application_id: uuid.UUID, session: DbSession,
                       principal: Reader) -> list[AppealOut]:
    await service.get(session, application_id, principal)
    rows = (await session.scalars(select(Appeal).where(Appeal.application_id == application_id)
                                  .order_by(Appeal.created_at, Appeal.id))).all()
    return [_appeal_out(a) for a in rows]


@router.post("/{application_id}/appeals/{appeal_id}/judgment", response_model=AppealOut,
             responses=responses(Errors.APPEAL_CLOSED, Errors.NO_DECISION, KitErrors.ILLEGAL_TRANSITION,
                                 KitErrors.NOT_FOUND, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS))
async def record_judgment(application_id: uuid.UUID, appeal_id: uuid.UUID, body: JudgmentIn,
                          session: DbSession, principal: Manager, clock: ClockDep) -> AppealOut:
    """The court's amount becomes a new decision version, final at once."""
    application = await service.get(session, application_id, principal, for_update=True)
    return _appeal_out(await service.record_judgment(session, application, appeal_id, body,
                                                     principal, clock))
