"""HTTP routes of denial notices and the sanctions list."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.errors import Errors
from export_control.roles import case_workers
from export_control.roles import heads
from export_control.roles import internal_readers
from export_control.screening import service as screening_service
from export_control.screening.models import DenialNotice
from export_control.screening.models import SanctionsImport
from export_control.screening.schemas import DenialNoticeIn
from export_control.screening.schemas import DenialNoticeOut
from export_control.screening.schemas import DenialNoticeRevokeIn
from export_control.screening.schemas import SanctionsActivationIn
from export_control.screening.schemas import SanctionsImportOut
from export_control.screening.service import import_sanctions_list
from export_control.screening.service import register_denial_notice

router = APIRouter(tags=["screening"])

CaseWorker = Annotated[Principal, Depends(case_workers)]
Internal = Annotated[Principal, Depends(internal_readers)]
Head = Annotated[Principal, Depends(heads)]


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
    return await page_of(
        session, select(DenialNotice).order_by(DenialNotice.issued_on.desc(), DenialNotice.id),
        page, out=DenialNoticeOut)


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
    """Upload a sanctions list (EU consolidated list XML as the request body). It stays pending
    until a head activates it (`/activate`); screening uses the active list."""
    content = await request.body()
    if not content:
        raise Errors.SANCTIONS_FILE_INVALID("the request body is empty")
    imported = await import_sanctions_list(session, content, actor=principal.sub,
                                           now=clock.now())
    return SanctionsImportOut.model_validate(imported)


@router.post("/v1/sanctions-list/{import_id}/activate", response_model=SanctionsImportOut,
             responses=responses(Errors.SANCTIONS_LIST_NOT_PENDING, Errors.SANCTIONS_LIST_SHRINKS,
                                 KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def activate_sanctions(import_id: uuid.UUID, session: DbSession, principal: Head,
                             clock: ClockDep, settings: Settings,
                             body: SanctionsActivationIn | None = None) -> SanctionsImportOut:
    """A head puts an uploaded list in force (screening uses it from then on)."""
    imported = await screening_service.activate_sanctions_list(
        session, import_id, actor=principal.sub, confirm_shrink=bool(body and body.confirm_shrink),
        shrink_alert_pct=settings.screening_list_shrink_alert_pct, now=clock.now())
    return SanctionsImportOut.model_validate(imported)


@router.get("/v1/sanctions-list", response_model=list[SanctionsImportOut])
async def list_sanctions_imports(session: DbSession, _: Internal) -> list[SanctionsImportOut]:
    rows = (await session.scalars(select(SanctionsImport)
                                  .order_by(SanctionsImport.imported_at.desc()).limit(20))).all()
    return [SanctionsImportOut.model_validate(r) for r in rows]


