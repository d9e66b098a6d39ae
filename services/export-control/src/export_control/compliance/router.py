"""HTTP routes of transaction reports, report obligations and infringement cases."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from dkbuza_kit.auth import Principal, require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from export_control.access import APPLICANT, case_workers, internal_readers, org_scope, readers
from export_control.compliance import service
from export_control.compliance.models import InfringementCase, ReportObligation, TransactionReport
from export_control.compliance.schemas import (
    InfringementIn,
    InfringementOut,
    InfringementTransitionIn,
    ObligationOut,
    TransactionReportIn,
    TransactionReportOut,
)
from export_control.deps import ClockDep
from export_control.licences.service import get_licence

router = APIRouter(tags=["compliance"])

Reader = Annotated[Principal, Depends(readers)]
CaseWorker = Annotated[Principal, Depends(case_workers)]


@router.post("/v1/transaction-reports", status_code=201, response_model=TransactionReportOut)
async def submit_transaction_report(
    body: TransactionReportIn, session: DbSession, clock: ClockDep, idem: IdempotencyDep,
    principal: Annotated[Principal, Depends(require_roles(APPLICANT, "csg.officer"))],
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
    has_discrepancy: bool | None = None,
) -> Page[TransactionReportOut]:
    stmt = select(TransactionReport)
    scope = org_scope(principal)
    if scope is not None:
        stmt = stmt.where(TransactionReport.holder_org == scope)
    if has_discrepancy is not None:
        stmt = stmt.where(TransactionReport.has_discrepancy == has_discrepancy)
    rows, total = await paginate(
        session, stmt.order_by(TransactionReport.submitted_at, TransactionReport.id), page)
    return Page(items=[TransactionReportOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.get("/v1/transaction-reports/obligations", response_model=Page[ObligationOut])
async def list_report_obligations(
    session: DbSession, principal: Reader, page: Pagination,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[ObligationOut]:
    """Which customs debits still need a transaction report, and by when."""
    stmt = select(ReportObligation)
    scope = org_scope(principal)
    if scope is not None:
        stmt = stmt.where(ReportObligation.holder_org == scope)
    if status:
        stmt = stmt.where(ReportObligation.status == status)
    rows, total = await paginate(
        session, stmt.order_by(ReportObligation.due_on, ReportObligation.ledger_entry_id), page)
    return Page(items=[ObligationOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


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
    session: DbSession, _: Annotated[Principal, Depends(internal_readers)], page: Pagination,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[InfringementOut]:
    stmt = select(InfringementCase)
    if status:
        stmt = stmt.where(InfringementCase.status == status)
    rows, total = await paginate(
        session, stmt.order_by(InfringementCase.opened_at, InfringementCase.id), page)
    return Page(items=[InfringementOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.post("/v1/infringements/{case_id}/transitions", response_model=InfringementOut)
async def move_infringement(case_id: uuid.UUID, body: InfringementTransitionIn,
                            session: DbSession, _: CaseWorker, clock: ClockDep) -> InfringementOut:
    case = await session.get(InfringementCase, case_id, with_for_update=True)
    if case is None:
        raise ProblemError(404, "NOT_FOUND", "infringement case not found")
    case = await service.move_case(session, case, body.to, body.outcome, clock.now())
    return InfringementOut.model_validate(case)
