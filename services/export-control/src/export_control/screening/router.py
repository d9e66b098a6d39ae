"""HTTP routes of denial notices and the sanctions list."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.db import DbSession
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from export_control.deps import ClockDep
from export_control.roles import case_workers, internal_readers
from export_control.screening import service as screening_service
from export_control.screening.models import DenialNotice, SanctionsImport
from export_control.screening.schemas import (
    DenialNoticeIn,
    DenialNoticeOut,
    DenialNoticeRevokeIn,
    SanctionsImportOut,
)
from export_control.screening.service import import_sanctions_list, register_denial_notice

router = APIRouter(tags=["screening"])

CaseWorker = Annotated[Principal, Depends(case_workers)]
Internal = Annotated[Principal, Depends(internal_readers)]


@router.post("/v1/denial-notices", status_code=201, response_model=DenialNoticeOut)
async def create_denial_notice(body: DenialNoticeIn, session: DbSession, _: CaseWorker,
                               idem: IdempotencyDep, clock: ClockDep):
    """Register a denial notice received from another EU member state."""
    if idem.replay is not None:
        return idem.replay
    notice = await register_denial_notice(session, body, now=clock.now())
    return await idem.respond(201, DenialNoticeOut.model_validate(notice))


@router.get("/v1/denial-notices", response_model=Page[DenialNoticeOut])
async def list_denial_notices(session: DbSession, _: Internal,
                              page: Pagination) -> Page[DenialNoticeOut]:
    rows, total = await paginate(
        session, select(DenialNotice).order_by(DenialNotice.issued_on.desc(), DenialNotice.id),
        page)
    return Page(items=[DenialNoticeOut.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.post("/v1/denial-notices/{notice_id}/revoke", response_model=DenialNoticeOut)
async def revoke_denial_notice(notice_id: uuid.UUID, body: DenialNoticeRevokeIn,
                               session: DbSession, _: CaseWorker,
                               clock: ClockDep) -> DenialNoticeOut:
    notice = await screening_service.revoke_denial_notice(session, notice_id, body.revoked_on,
                                                          now=clock.now())
    return DenialNoticeOut.model_validate(notice)


@router.post("/v1/sanctions-list", status_code=201, response_model=SanctionsImportOut,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/xml": {"schema": {"type": "string", "format": "binary"}}}}})
async def import_sanctions(request: Request, session: DbSession, principal: CaseWorker,
                           clock: ClockDep) -> SanctionsImportOut:
    """Import the sanctions list (EU consolidated list XML as the request body); it replaces
    the active list. Applications are screened against the active list from then on."""
    content = await request.body()
    if not content:
        raise ProblemError(422, "SANCTIONS_FILE_INVALID", "the request body is empty")
    imported = await import_sanctions_list(session, content, actor=principal.sub,
                                           now=clock.now())
    return SanctionsImportOut.model_validate(imported)


@router.get("/v1/sanctions-list", response_model=list[SanctionsImportOut])
async def list_sanctions_imports(session: DbSession, _: Internal) -> list[SanctionsImportOut]:
    rows = (await session.scalars(select(SanctionsImport)
                                  .order_by(SanctionsImport.imported_at.desc()).limit(20))).all()
    return [SanctionsImportOut.model_validate(r) for r in rows]


