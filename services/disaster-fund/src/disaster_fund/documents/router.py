"""Documents of damage reports and applications, and the decision letters."""

import uuid
from datetime import date
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from pydantic import Field

from disaster_fund import roles
from disaster_fund.applications import service as applications
from disaster_fund.documents import checklist
from disaster_fund.documents import service
from disaster_fund.documents.kinds import DOSSIER_KINDS
from disaster_fund.documents.models import Document
from disaster_fund.errors import Errors
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents.router import DocumentOut
from dkbuza_kit.documents.router import documents_router
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.schemas import InputModel

application_documents = documents_router(
    owner_type="application", path="/v1/applications/{owner_id}/documents", tag="applications",
    name="application-documents", model=Document, kinds=DOSSIER_KINDS,
    authorize=service.authorize_application, read_roles=roles.ANY_VRF,
    write_roles=service.WRITERS)
report_documents = documents_router(
    owner_type="damage_report", path="/v1/damage-reports/{owner_id}/documents",
    tag="damage-reports", name="damage-report-documents", model=Document, kinds=DOSSIER_KINDS,
    authorize=service.authorize_damage_report, read_roles=roles.ANY_VRF,
    write_roles=service.WRITERS)

letters = APIRouter(tags=["applications"])
Staff = Annotated[Any, Depends(require_roles(*roles.STAFF))]
Reader = Annotated[Any, Depends(require_roles(*roles.ANY_VRF))]


class PaperReceiptIn(InputModel):
    kind: str = Field(min_length=1, max_length=40)
    received_on: date
    reason: str = Field(min_length=1, max_length=500)


@letters.get("/v1/applications/{application_id}/document-checklist",
             name="document-checklist", responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND))
async def document_checklist(application_id: uuid.UUID, session: DbSession,
                             principal: Reader) -> Any:
    """The kinds the dossier's rule set requires before intake: present (uploaded and not
    withdrawn, or received on paper) and missing."""
    application = await applications.get(session, application_id, principal)
    return await checklist.checklist(session, application)


@letters.post("/v1/applications/{application_id}/paper-documents", status_code=201,
              name="paper-document-received",
              responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, Errors.DOCUMENT_NOT_REQUIRED,
                                  Errors.REASON_REQUIRED, KitErrors.DATE_IN_FUTURE))
async def record_paper_document(application_id: uuid.UUID, body: PaperReceiptIn,
                                session: DbSession, clock: ClockDep, principal: Staff) -> Any:
    """Record that a required kind was received on paper (a dossier migrated from paper):
    who, when and why are kept in the dossier's events and audit trail."""
    application = await applications.get(session, application_id, principal, for_update=True)
    return await checklist.record_paper_receipt(
        session, application, kind=body.kind, received_on=body.received_on, reason=body.reason,
        actor=principal.sub, at=clock.now())


@letters.post("/v1/applications/{application_id}/decisions/{version}/letter",
              response_model=DocumentOut, status_code=201, name="decision-letter",
              responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND,
                                  service.DocumentErrors.DECISION_NOT_FOUND))
async def generate_decision_letter(application_id: uuid.UUID, version: int, request: Request,
                                   session: DbSession, clock: ClockDep, principal: Staff) -> Any:
    """The decision letter of a decision version as a PDF document of the dossier (made once
    per version), announced as `decision_letter.generated` for delivery to the e-Box."""
    application = await applications.get(session, application_id, principal)
    return await service.generate_decision_letter(
        session, request.app.state.document_storage, application, version, actor=principal,
        today=today_brussels(clock))
