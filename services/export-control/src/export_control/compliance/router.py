"""HTTP routes of transaction reports, report obligations and infringement cases."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.compliance import service
from export_control.compliance.models import InfringementCase
from export_control.compliance.models import ReportObligation
from export_control.compliance.models import TransactionReport
from export_control.compliance.schemas import InfringementDetailOut
from export_control.compliance.schemas import InfringementIn
from export_control.compliance.schemas import InfringementOut
from export_control.compliance.schemas import InfringementStatus
from export_control.compliance.schemas import InfringementTransitionIn
from export_control.compliance.schemas import LegalBasis
from export_control.compliance.schemas import ObligationOut
from export_control.compliance.schemas import StateChangeOut
from export_control.compliance.schemas import TransactionReportIn
from export_control.compliance.schemas import TransactionReportOut
from export_control.deps import ClockDep
from export_control.licences.service import get_licence
from export_control.reports.periods import parse_period
from export_control.roles import APPLICANT
from export_control.roles import OFFICER
from export_control.roles import case_workers
from export_control.roles import org_scope
from export_control.roles import readers

router = APIRouter(tags=["compliance"])

Reader = Annotated[Principal, Depends(readers)]
CaseWorker = Annotated[Principal, Depends(case_workers)]


@router.post("/v1/transaction-reports", status_code=201, response_model=TransactionReportOut)
async def submit_transaction_report(
    body: TransactionReportIn, session: DbSession, clock: ClockDep, idem: IdempotencyDep,
    principal: Annotated[Principal, Depends(require_roles(APPLICANT, OFFICER))],
):
    """The holder reports the effective transactions made under a licence; lines that differ
    from the customs ledger are marked as discrepancies."""
    if idem.replay is not None:
        return idem.replay
    licence = await get_licence(session, body.licence_id, principal)
    report = await service.submit_report(session, licence, body, actor=principal.sub,
                                         now=clock.now())
    return await idem.respond(201, TransactionReportOut.model_validate(report))


@router.get("/v1/transaction-reports", response_model=Page[TransactionReportOut])
async def list_transaction_reports(
    session: DbSession, principal: Reader, page: Pagination,
    licence_id: uuid.UUID | None = None,
    overdue: Annotated[bool | None, Query(
        description="only reports submitted after (true) or within (false) the term")] = None,
    has_discrepancy: bool | None = None,
    period: Annotated[str | None, Query(
        max_length=10, description="submitted in this period (Brussels days)",
        examples=["2026", "2026-H1", "2026-Q2", "2026-05"])] = None,
) -> Page[TransactionReportOut]:
    """Transaction reports, oldest first; a company sees only its own."""
    stmt = service.visible_reports(principal)
    stmt = where_given(stmt, (TransactionReport.licence_id, licence_id))
    if overdue is not None:
        stmt = stmt.where(TransactionReport.overdue.is_(overdue))
    if has_discrepancy is not None:
        stmt = stmt.where(TransactionReport.has_discrepancy.is_(has_discrepancy))
    if period:
        within = parse_period(period, allowed=("year", "half", "quarter", "month"))
        stmt = stmt.where(TransactionReport.submitted_at >= within.start,
                          TransactionReport.submitted_at < within.end)
    return await page_of(
        session, stmt.order_by(TransactionReport.submitted_at, TransactionReport.id), page,
        out=TransactionReportOut)


@router.get("/v1/transaction-reports/obligations", response_model=Page[ObligationOut])
async def list_report_obligations(
    session: DbSession, principal: Reader, page: Pagination,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[ObligationOut]:
    """Which customs debits still need a transaction report, and by when."""
    stmt = service.visible_obligations(principal)
    if status:
        stmt = stmt.where(ReportObligation.status == status)
    return await page_of(
        session, stmt.order_by(ReportObligation.due_on, ReportObligation.ledger_entry_id), page,
        out=ObligationOut)


@router.get("/v1/transaction-reports/{report_id}", response_model=TransactionReportOut)
async def get_transaction_report(report_id: uuid.UUID, session: DbSession,
                                 principal: Reader) -> TransactionReportOut:
    return TransactionReportOut.model_validate(
        await service.get_report(session, report_id, principal))


@router.post("/v1/infringements", status_code=201, response_model=InfringementOut)
async def open_infringement(body: InfringementIn, session: DbSession, principal: CaseWorker,
                            clock: ClockDep, idem: IdempotencyDep):
    if idem.replay is not None:
        return idem.replay
    licence = await get_licence(session, body.licence_id, principal)
    case = await service.open_case(session, licence, description=body.description,
                                   obligation=None, now=clock.now())
    return await idem.respond(201, InfringementOut.model_validate(case))


@router.get("/v1/infringements", response_model=Page[InfringementOut])
async def list_infringements(
    session: DbSession, principal: Reader, page: Pagination,
    status: InfringementStatus | None = None,
    legal_basis: LegalBasis | None = None,
    holder_org: Annotated[str | None, Query(max_length=20,
                                            description="the company (KBO number)")] = None,
    licence_id: uuid.UUID | None = None,
) -> Page[InfringementOut]:
    """Infringement cases, oldest first; a company sees only the cases against itself."""
    stmt = service.visible_cases(principal)
    if status:
        stmt = stmt.where(InfringementCase.status == status)
    if legal_basis:
        stmt = stmt.where(InfringementCase.legal_basis == legal_basis)
    if holder_org:
        stmt = stmt.where(InfringementCase.holder_org == holder_org)
    stmt = where_given(stmt, (InfringementCase.licence_id, licence_id))
    return await page_of(
        session, stmt.order_by(InfringementCase.opened_at, InfringementCase.id), page, out=InfringementOut)


@router.get("/v1/infringements/{case_id}", response_model=InfringementDetailOut)
async def get_infringement(case_id: uuid.UUID, session: DbSession,
                           principal: Reader) -> InfringementDetailOut:
    """One case with its state history (from the audit trail)."""
    case = await service.get_case(session, case_id, principal)
    history = [StateChangeOut.model_validate(event)
               for event in await service.case_history(session, case.id)]
    if org_scope(principal) is not None:  # the company does not see who at the department
        history = [step.model_copy(update={"actor": None}) for step in history]
    return InfringementDetailOut(**InfringementOut.model_validate(case).model_dump(),
                                 history=history)


@router.post("/v1/infringements/{case_id}/transitions", response_model=InfringementOut)
async def move_infringement(case_id: uuid.UUID, body: InfringementTransitionIn,
                            session: DbSession, _: CaseWorker, clock: ClockDep) -> InfringementOut:
    case = await session.get(InfringementCase, case_id, with_for_update=True)
    if case is None:
        raise KitErrors.NOT_FOUND("infringement case not found")
    case = await service.move_case(session, case, body.to, body.outcome, clock.now())
    return InfringementOut.model_validate(case)
