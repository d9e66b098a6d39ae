"""Access to application documents (exactly as the application), the checklist, and the
generated licence document and refusal letter (one each, announced by event)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.documents.kinds import DocumentKind
from dkbuza_kit.documents.service import owner_uuid
from dkbuza_kit.documents.service import store_document
from dkbuza_kit.documents.storage import DocumentStorage
from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors
from export_control.applications.models import Decision
from export_control.applications.service import get_application
from export_control.documents.checklist import evaluate_application
from export_control.documents.kinds import LICENCE_DOCUMENT
from export_control.documents.kinds import REFUSAL_LETTER
from export_control.documents.letters import licence_pdf
from export_control.documents.letters import refusal_pdf
from export_control.documents.models import Document
from export_control.licences.service import get_licence
from export_control.roles import APPLICANT
from export_control.roles import INTERNAL


class DocumentErrors(ErrorCatalogue):
    NOT_REFUSED = ErrorCode(409, "The application was not refused")


async def authorize_application(session: AsyncSession, principal, owner_id: str,
                                write: bool) -> str | None:
    """The company sees and adds the documents of its own applications, the administration all."""
    application = await get_application(session, owner_uuid(owner_id, "application"), principal)
    if write and not principal.has_any(APPLICANT, *INTERNAL):
        raise KitErrors.FORBIDDEN("this role may not add documents")
    return application.applicant_org


async def checklist(session: AsyncSession, application) -> dict:
    result = await evaluate_application(session, application)
    return {"application_id": application.id,
            "required": [{"kind": c.requirement.name, "basis": c.requirement.basis,
                          "present": not c.missing} for c in result.checked],
            "missing": result.missing, "complete": result.complete}


async def _generated(session, storage, *, owner_type, owner_id, org, kind: DocumentKind,
                     filename, content: bytes, actor, event: str, data: dict) -> Document:
    existing = await session.scalar(select(Document).where(
        Document.owner_type == owner_type, Document.owner_id == owner_id,
        Document.kind == kind.name, Document.withdrawn_at.is_(None)))
    if existing is not None:
        return existing

    async def chunks():
        yield content

    document = await store_document(
        session, storage, Document, owner_type=owner_type, owner_id=owner_id, owner_org=org,
        kind=kind, filename=filename, declared_type="application/pdf", chunks=chunks(),
        actor=actor, source="generated")
    await emit_event(session, event, subject=owner_id, org=org,
                     data={**data, "document_id": str(document.id)})
    return document


async def licence_document(session: AsyncSession, storage: DocumentStorage, licence_id,
                           principal, today: date) -> Document:
    licence = await get_licence(session, licence_id, principal)
    content = licence_pdf(licence, licence.lines, today)
    return await _generated(
        session, storage, owner_type="licence", owner_id=str(licence.id), org=licence.holder_org,
        kind=LICENCE_DOCUMENT, filename=f"{licence.number.replace('/', '-')}.pdf",
        content=content, actor=principal, event="licence.document_generated",
        data={"licence_id": str(licence.id), "number": licence.number})


async def refusal_letter(session: AsyncSession, storage: DocumentStorage, application_id,
                         principal, today: date) -> Document:
    application = await get_application(session, application_id, principal)
    decision = await session.scalar(select(Decision).where(
        Decision.application_id == application.id).order_by(Decision.decided_at.desc()).limit(1))
    if decision is None or decision.outcome != "refused":
        raise DocumentErrors.NOT_REFUSED("only a refused application gets a refusal letter")
    return await _generated(
        session, storage, owner_type="application", owner_id=str(application.id),
        org=application.applicant_org, kind=REFUSAL_LETTER,
        filename=f"weigering-{(application.reference or '').replace('/', '-')}.pdf",
        content=refusal_pdf(application, decision, today), actor=principal,
        event="application.refusal_letter_generated",
        data={"application_id": str(application.id), "reference": application.reference})


async def licence_owner(session: AsyncSession, principal, owner_id: str, write: bool) -> str | None:
    licence = await get_licence(session, owner_uuid(owner_id, "licence"), principal)
    if write and not principal.has_any(*INTERNAL):
        raise KitErrors.FORBIDDEN("licence documents are issued by the administration")
    return licence.holder_org
