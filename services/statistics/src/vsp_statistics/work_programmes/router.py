"""Work programmes, their versions (fixed by the CVOS) and actions."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from vsp_statistics.errors import Errors
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity
from vsp_statistics.work_programmes import service
from vsp_statistics.work_programmes.models import WorkProgrammeAction
from vsp_statistics.work_programmes.schemas import ActionIn
from vsp_statistics.work_programmes.schemas import ActionOut
from vsp_statistics.work_programmes.schemas import ActionPatch
from vsp_statistics.work_programmes.schemas import ActionProgressIn
from vsp_statistics.work_programmes.schemas import FixVersionIn
from vsp_statistics.work_programmes.schemas import VersionOut
from vsp_statistics.work_programmes.schemas import WorkProgrammeIn
from vsp_statistics.work_programmes.schemas import WorkProgrammeOut

# An INTEGER column: larger numbers are a 422, not a database error.
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
router = APIRouter(tags=["work-programmes"])


@router.get("/v1/work-programmes", response_model=Page[WorkProgrammeOut])
async def list_work_programmes(session: DbSession, page: Pagination, _: StaffOrEntity):
    return await page_of(session, service.programme_list(), page, out=WorkProgrammeOut)


@router.post("/v1/work-programmes", response_model=WorkProgrammeOut, status_code=201)
async def create_work_programme(body: WorkProgrammeIn, session: DbSession, _: StaffOnly):
    """Create a work programme with its first (draft) version."""
    return await service.create(session, body)


@router.get("/v1/work-programmes/{work_programme_id}", response_model=WorkProgrammeOut)
async def get_work_programme(work_programme_id: uuid.UUID, session: DbSession,
                             _: StaffOrEntity):
    return await service.get(session, work_programme_id)


@router.get("/v1/work-programmes/{work_programme_id}/versions",
            response_model=list[VersionOut])
async def list_versions(work_programme_id: uuid.UUID, session: DbSession, _: StaffOrEntity):
    await service.get(session, work_programme_id)
    return await service.versions(session, work_programme_id)


@router.post("/v1/work-programmes/{work_programme_id}/versions/{number}/fix",
             response_model=list[VersionOut],
             responses=responses(KitErrors.NOT_FOUND, Errors.VERSION_NOT_FOUND,
                                 Errors.VERSION_ALREADY_FIXED, Errors.CVOS_DECISION_REQUIRED,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.VALIDATION_ERROR,
                                 *AUTH_ERRORS))
async def fix_version(work_programme_id: uuid.UUID, number: VersionNumber, body: FixVersionIn,
                      session: DbSession, _: StaffOnly, clock: ClockDep):
    """Fix a draft version with the CVOS decision reference and date (not in the future)."""
    programme = await service.get(session, work_programme_id)
    await service.fix_version(session, programme, number, body, clock)
    return await service.versions(session, work_programme_id)


@router.get("/v1/work-programmes/{work_programme_id}/actions", response_model=Page[ActionOut])
async def list_actions(work_programme_id: uuid.UUID, session: DbSession, page: Pagination,
                       _: StaffOrEntity, owner_entity_code: str | None = None):
    await service.get(session, work_programme_id)
    stmt = service.action_list(work_programme_id, owner_entity_code)
    return await page_of(session, stmt, page, out=ActionOut)


@router.post("/v1/work-programmes/{work_programme_id}/actions", response_model=ActionOut,
             status_code=201)
async def create_action(work_programme_id: uuid.UUID, body: ActionIn, session: DbSession,
                        _: StaffOnly):
    """Add an action; when the latest version is fixed this opens a new version."""
    programme = await service.get(session, work_programme_id)
    return await service.add_action(session, programme, body)


@router.post("/v1/work-programmes/{work_programme_id}/actions/{action_id}/progress",
             response_model=ActionOut,
             responses=responses(Errors.ACTION_NOT_FOUND, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def record_action_progress(work_programme_id: uuid.UUID, action_id: uuid.UUID,
                                 body: ActionProgressIn, session: DbSession, _: StaffOnly,
                                 clock: ClockDep):
    programme = await service.get(session, work_programme_id)
    return await service.record_progress(session, programme, action_id, body, clock)


@router.get("/v1/work-programmes/{work_programme_id}/actions/{action_id}",
            response_model=ActionOut,
            dependencies=[RETURNS_ETAG])
async def get_action(work_programme_id: uuid.UUID, action_id: uuid.UUID, response: Response,
                     session: DbSession, _: StaffOrEntity):
    programme = await service.get(session, work_programme_id)
    action = await service.get_action(session, programme, action_id)
    set_etag(response, action.version)
    return action


@router.patch("/v1/work-programmes/{work_programme_id}/actions/{action_id}",
              response_model=ActionOut,
              responses=responses(*IF_MATCH_ERRORS, *AUTH_ERRORS), dependencies=[IF_MATCH])
async def update_action(work_programme_id: uuid.UUID, action_id: uuid.UUID, body: ActionPatch,
                        request: Request, response: Response, session: DbSession,
                        principal: StaffOrEntity, clock: ClockDep):
    """Change an action (`If-Match` required): VSA staff any, an entity its own actions."""
    programme = await service.get(session, work_programme_id)
    action = await lock_for_change(session, WorkProgrammeAction, action_id, request,
                                   what="action", not_found=Errors.ACTION_NOT_FOUND,
                                   scope=service.actions_of(programme, owned_by=principal))
    await service.update_action(session, principal, programme, action, body, clock)
    set_etag(response, action.version)
    return action
