"""HTTP for changes during the year: dues, added initiatives and results, archived results."""

from collections.abc import Callable

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import get_or_404
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from planning.amendments import service
from planning.amendments.schemas import ArchiveIn
from planning.amendments.schemas import DueChangeIn
from planning.amendments.schemas import DueChangeOut
from planning.amendments.schemas import InitiativeIn
from planning.amendments.schemas import MilestoneOut
from planning.amendments.schemas import ResultIn
from planning.errors import Errors
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.schemas import ExpectedResultOut
from planning.plans.schemas import InitiativeOut
from planning.roles import Manager
from planning.roles import Reader

router = APIRouter(tags=["plans"])
RESULT_NOT_FOUND = Errors.EXPECTED_RESULT_NOT_FOUND
DUE_ERRORS = (Errors.DUE_INVALID, KitErrors.DATE_OUT_OF_WINDOW, KitErrors.DATE_BEFORE_ORIGIN)


@router.post("/v1/expected-results/{result_id}/due", response_model=ExpectedResultOut,
             responses=responses(RESULT_NOT_FOUND, Errors.MILESTONE_NOT_FOUND, *DUE_ERRORS,
                                 *IF_MATCH_ERRORS, *AUTH_ERRORS),
             dependencies=[IF_MATCH])
async def change_due(result_id: int, body: DueChangeIn, request: Request, response: Response,
                     session: DbSession, principal: Manager, clock: ClockDep) -> ExpectedResult:
    """Set or change the due of a result or one of its milestones, with a reason (If-Match).
    The due as printed stays in `original_due`; every change is in `/due-changes`."""
    result = await lock_for_change(session, ExpectedResult, result_id, request,
                                   what="expected result", not_found=RESULT_NOT_FOUND)
    changed = await service.change_due(session, result, body, principal, clock)
    set_etag(response, changed.version)
    return changed


@router.get("/v1/expected-results/{result_id}/due-changes", response_model=list[DueChangeOut],
            responses=responses(RESULT_NOT_FOUND, *AUTH_ERRORS))
async def list_due_changes(result_id: int, session: DbSession, _: Reader):
    return await _rows_of_result(session, result_id, service.due_changes_query)


@router.get("/v1/expected-results/{result_id}/milestones", response_model=list[MilestoneOut],
            responses=responses(RESULT_NOT_FOUND, *AUTH_ERRORS))
async def list_milestones(result_id: int, session: DbSession, _: Reader):
    """The moments of a result that prints several ("Q2 + Q4")."""
    return await _rows_of_result(session, result_id, service.milestones_query)


async def _rows_of_result(session: AsyncSession, result_id: int,
                          query_of: Callable[[int], Select]) -> list:
    """The rows `query_of(result_id)` selects; 404 when the result does not exist (not an empty list)."""
    await get_or_404(session, ExpectedResult, result_id, what="expected result",
                     error=RESULT_NOT_FOUND)
    return list(await session.scalars(query_of(result_id)))


@router.post("/v1/initiatives", response_model=InitiativeOut, status_code=201,
             responses=responses(Errors.OPERATIONAL_GOAL_NOT_FOUND, *AUTH_ERRORS))
async def add_initiative(body: InitiativeIn, session: DbSession, _: Manager) -> Initiative:
    """An initiative added during the year (`added_after_adoption` once the plan is adopted)."""
    return await service.add_initiative(session, body)


@router.post("/v1/expected-results", response_model=ExpectedResultOut, status_code=201,
             responses=responses(Errors.INITIATIVE_NOT_FOUND, *DUE_ERRORS, *AUTH_ERRORS))
async def add_result(body: ResultIn, session: DbSession, _: Manager,
                     clock: ClockDep) -> ExpectedResult:
    """A result added during the year, with a due, continuous, or without a due."""
    return await service.add_result(session, body, clock)


@router.post("/v1/expected-results/{result_id}/archive", response_model=ExpectedResultOut,
             responses=responses(RESULT_NOT_FOUND, *IF_MATCH_ERRORS, *AUTH_ERRORS),
             dependencies=[IF_MATCH])
async def archive_result(result_id: int, body: ArchiveIn, request: Request,
                         response: Response, session: DbSession, _: Manager) -> ExpectedResult:
    """Archive a result (kept, but out of the overdue list and the on-time rate)."""
    result = await lock_for_change(session, ExpectedResult, result_id, request,
                                   what="expected result", not_found=RESULT_NOT_FOUND)
    archived = await service.archive_result(session, result, body.reason)
    set_etag(response, archived.version)
    return archived
