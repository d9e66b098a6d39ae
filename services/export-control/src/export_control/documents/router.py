"""Application documents with their checklist, licence documents, the refusal letter."""

import uuid
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from pydantic import BaseModel

from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents.router import DocumentOut
from dkbuza_kit.documents.router import documents_router
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from export_control.applications.service import get_application
from export_control.documents import service
from export_control.documents.kinds import APPLICATION_KINDS
from export_control.documents.models import Document
from export_control.roles import APPLICANT
from export_control.roles import INTERNAL
from export_control.roles import internal_readers
from export_control.roles import readers

application_documents = documents_router(
    owner_type="application", path="/v1/applications/{owner_id}/documents", tag="applications",
    name="application-documents", model=Document, kinds=APPLICATION_KINDS,
    authorize=service.authorize_application, read_roles=(APPLICANT, *INTERNAL),
    write_roles=(APPLICANT, *INTERNAL))
licence_documents = documents_router(
    owner_type="licence", path="/v1/licences/{owner_id}/documents", tag="licences",
    name="licence-documents", model=Document, kinds={}, authorize=service.licence_owner,
    read_roles=(APPLICANT, *INTERNAL), write_roles=INTERNAL)

router = APIRouter(tags=["applications"])
Reader = Annotated[Principal, Depends(readers)]
Internal = Annotated[Principal, Depends(internal_readers)]


class RequiredDocument(BaseModel):
    kind: str
    basis: str
    present: bool


class Checklist(BaseModel):
    application_id: uuid.UUID
    required: list[RequiredDocument]
    missing: list[str]
    complete: bool


@router.get("/v1/applications/{application_id}/documents/checklist", response_model=Checklist,
            name="document-checklist", responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND))
async def document_checklist(application_id: uuid.UUID, session: DbSession,
                             principal: Reader) -> Any:
    """The documents this application's type and destination need (with their legal basis)."""
    application = await get_application(session, application_id, principal)
    return await service.checklist(session, application)


@router.post("/v1/licences/{licence_id}/document", response_model=DocumentOut, status_code=201,
             name="licence-document", tags=["licences"],
             responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND))
async def generate_licence_document(licence_id: uuid.UUID, request: Request, session: DbSession,
                                    clock: ClockDep, principal: Internal) -> Any:
    """The licence as a PDF document (reference, goods, quantities, validity, legal basis)."""
    return await service.licence_document(session, request.app.state.document_storage,
                                          licence_id, principal, today_brussels(clock))


@router.post("/v1/applications/{application_id}/refusal-letter", response_model=DocumentOut,
             status_code=201, name="refusal-letter",
             responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND,
                                 service.DocumentErrors.NOT_REFUSED))
async def generate_refusal_letter(application_id: uuid.UUID, request: Request,
                                  session: DbSession, clock: ClockDep, principal: Internal) -> Any:
    """The refusal letter (criteria of Common Position 2008/944/CFSP, appeal route)."""
    return await service.refusal_letter(session, request.app.state.document_storage,
                                        application_id, principal, today_brussels(clock))
