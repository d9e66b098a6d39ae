"""Documents of damage reports and applications, and the decision letters."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from disaster_fund import roles
from disaster_fund.applications import service as applications
from disaster_fund.documents import service
from disaster_fund.documents.kinds import DOSSIER_KINDS
from disaster_fund.documents.models import Document
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep, today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents.router import DocumentOut, documents_router
from dkbuza_kit.errors import AUTH_ERRORS, KitErrors, responses

application_documents = documents_router(
    owner_type="application", path="/v1/applications/{owner_id}/documents", tag="applications",
    name="application-documents", model=Document, kinds=DOSSIER_KINDS,
    authorize=service.authorize_application)
report_documents = documents_router(
    owner_type="damage_report", path="/v1/damage-reports/{owner_id}/documents",
    tag="damage-reports", name="damage-report-documents", model=Document, kinds=DOSSIER_KINDS,
    authorize=service.authorize_damage_report)

letters = APIRouter(tags=["applications"])
Staff = Annotated[Any, Depends(require_roles(*roles.STAFF))]


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
