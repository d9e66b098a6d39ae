"""Who may see and add documents (exactly as the dossier), and the decision letter."""

from collections.abc import Callable
from datetime import date
from operator import attrgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import roles
from disaster_fund.applications import service as applications
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Decision
from disaster_fund.documents.kinds import DECISION_LETTER
from disaster_fund.documents.letters import decision_letter
from disaster_fund.documents.models import Document
from disaster_fund.reports import service as reports
from disaster_fund.rules.models import RuleSet
from dkbuza_kit.audit import emit_event
from dkbuza_kit.documents.router import Authorize
from dkbuza_kit.documents.service import owner_uuid
from dkbuza_kit.documents.service import store_document
from dkbuza_kit.documents.storage import DocumentStorage
from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors

WRITERS = (roles.CITIZEN, roles.MUNICIPALITY, *roles.STAFF)


class DocumentErrors(ErrorCatalogue):
    DECISION_NOT_FOUND = ErrorCode(404, "Decision version not found")


def _may_write(principal) -> None:
    if not principal.has_any(*WRITERS):
        raise KitErrors.FORBIDDEN("this role may read the dossier's documents only")


def _authorizer(get, what: str, org_of: Callable[[Any], str | None]) -> Authorize:
    """The documents router's check for one owner kind: who may see the owner (`get`, 404
    otherwise) reads its documents, writers add to them; answers the owner's organisation."""

    async def authorize(session: AsyncSession, principal, owner_id: str, write: bool) -> str | None:
        owner = await get(session, owner_uuid(owner_id, what), principal)
        if write:
            _may_write(principal)
        return org_of(owner)

    return authorize


authorize_application = _authorizer(applications.get, "application", attrgetter("applicant_org"))
authorize_damage_report = _authorizer(reports.get, "damage report", attrgetter("municipality_nis"))


async def generate_decision_letter(session: AsyncSession, storage: DocumentStorage,
                                   application: Application, version: int, *, actor,
                                   today: date) -> Document:
    """The letter of one decision version as a PDF document of the dossier (one per version:
    asking again returns the letter already made), announced for delivery to the e-Box."""
    decision = await session.scalar(select(Decision).where(
        Decision.application_id == application.id, Decision.version == version))
    if decision is None:
        raise DocumentErrors.DECISION_NOT_FOUND(f"no decision version {version}")
    existing = await session.scalar(select(Document).where(
        Document.owner_type == "application", Document.owner_id == str(application.id),
        Document.kind == DECISION_LETTER.name, Document.filename == _letter_name(decision)))
    if existing is not None:
        return existing
    rule_set = await session.get(RuleSet, decision.rule_set_id)
    content = decision_letter(application, decision, rule_set, today)

    async def chunks():
        yield content

    document = await store_document(
        session, storage, Document, owner_type="application", owner_id=str(application.id),
        owner_org=application.applicant_org, kind=DECISION_LETTER,
        filename=_letter_name(decision), declared_type="application/pdf", chunks=chunks(),
        actor=actor, source="generated")
    await emit_event(session, "decision_letter.generated", subject=application.id,
                     org=application.applicant_org,
                     data={"application_id": str(application.id), "decision_version": version,
                           "document_id": str(document.id),
                           "delivery": "e-Box (MAGDA document service) by an integration"})
    return document


def _letter_name(decision: Decision) -> str:
    return f"beslissing-v{decision.version}.pdf"
