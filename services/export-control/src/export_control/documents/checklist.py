"""The party documents an application needs (by type and destination, data:
required-documents.json) against the documents attached to it; submission is refused while
one is missing (409 REQUIRED_DOCUMENTS_MISSING with the `missing` kinds).

Only uploaded documents that are not withdrawn count. Unlike the disaster fund there is no
"received on paper" record: every application is filed electronically (an officer filing for a
company uploads the scan of a paper original through the same documents route, so the document
itself is in the file for the assessment), and historic cases migrated through
`POST /v1/applications/history` arrive decided and never pass the submission check."""

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.documents.checklist import Evaluation
from dkbuza_kit.documents.checklist import evaluate
from dkbuza_kit.documents.checklist import present_documents
from export_control.documents.kinds import required_kinds
from export_control.documents.models import Document
from export_control.errors import Errors


async def evaluate_application(session: AsyncSession, application) -> Evaluation:
    required = required_kinds(application.application_type, application.destination_country)
    present = await present_documents(session, Document, "application", str(application.id))
    return evaluate(required, present)


async def ensure_complete(session: AsyncSession, application) -> None:
    missing = (await evaluate_application(session, application)).missing
    if missing:
        raise Errors.REQUIRED_DOCUMENTS_MISSING(
            f"a {application.application_type} application to "
            f"{application.destination_country} needs these documents attached before it is "
            f"submitted: {', '.join(missing)}", missing=missing)
