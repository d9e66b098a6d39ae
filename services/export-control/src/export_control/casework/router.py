"""HTTP routes of casework: assignment, the filtered list, queues, bulk decisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends

from dkbuza_kit.auth import Principal
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.applications.models import Application
from export_control.applications.schemas import ApplicationOut
from export_control.applications.service import get_application
from export_control.casework import service
from export_control.casework.schemas import ApplicationFilters
from export_control.casework.schemas import AssignmentIn
from export_control.casework.schemas import BulkDecisionIn
from export_control.casework.schemas import BulkDecisionResult
from export_control.casework.schemas import QueueOut
from export_control.casework.schemas import application_filters
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.errors import Errors
from export_control.roles import heads
from export_control.roles import internal_readers
from export_control.roles import readers

# The list keeps its operationId `applications-list-applications`; the rest is casework.
router = APIRouter()
CASEWORK = ["casework"]

Reader = Annotated[Principal, Depends(readers)]
Internal = Annotated[Principal, Depends(internal_readers)]
Head = Annotated[Principal, Depends(heads)]


@router.get("/v1/applications", response_model=Page[ApplicationOut], tags=["applications"],
            responses=responses(KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def list_applications(session: DbSession, principal: Reader, page: Pagination,
                            filters: Annotated[ApplicationFilters,
                                               Depends(application_filters)]
                            ) -> Page[ApplicationOut]:
    """Applications, oldest first, filtered (company, destination, control entry, officer or
    `me`, track, submission dates, overdue) and searched (`q`); a company sees only its own."""
    stmt = service.filtered(principal, filters)
    return await page_of(session, stmt.order_by(Application.created_at, Application.id),
                         page, out=ApplicationOut)


@router.get("/v1/application-queues", response_model=list[QueueOut], tags=CASEWORK,
            responses=responses(*AUTH_ERRORS))
async def application_queues(session: DbSession, _: Internal) -> list[QueueOut]:
    """Open cases per track, authority and state (counts equal the filtered list's totals)."""
    return [QueueOut.model_validate(row) for row in await service.queues(session)]


@router.post("/v1/applications/{application_id}/assignment", response_model=ApplicationOut,
             tags=CASEWORK,
             responses=responses(KitErrors.NOT_FOUND, KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def assign_case_officer(application_id: uuid.UUID, body: AssignmentIn,
                              session: DbSession, principal: Head,
                              clock: ClockDep) -> ApplicationOut:
    """The head assigns (or reassigns) the case officer; audited."""
    app = await get_application(session, application_id, principal, for_update=True)
    app = await service.assign(session, app, body.case_officer, reason=body.reason,
                               now=clock.now())
    return ApplicationOut.model_validate(app)


@router.post("/v1/application-bulk-decisions", response_model=list[BulkDecisionResult],
             tags=CASEWORK,
             responses=responses(Errors.BULK_DECISION_NOT_FAST_TRACK,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def bulk_decide(body: BulkDecisionIn, session: DbSession, principal: Head,
                      clock: ClockDep, settings: Settings) -> list[BulkDecisionResult]:
    """Grants in delegation for several countersigned fast-track cases: each case is decided
    (with every gate of a single decision) and audited on its own; a refused case is listed
    with its problem code and leaves the others decided."""
    results = await service.bulk_decide(session, body, principal=principal, settings=settings,
                                        now=clock.now())
    return [BulkDecisionResult.model_validate(r) for r in results]
