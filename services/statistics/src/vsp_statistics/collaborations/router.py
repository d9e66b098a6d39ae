"""Collaboration projects between two or more network entities. HTTP only."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response

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
from dkbuza_kit.pagination import paginate
from dkbuza_kit.types import Year
from vsp_statistics.collaborations import service
from vsp_statistics.collaborations.models import CollaborationProject
from vsp_statistics.collaborations.schemas import ProjectIn
from vsp_statistics.collaborations.schemas import ProjectOut
from vsp_statistics.collaborations.schemas import ProjectPatch
from vsp_statistics.errors import Errors
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity

router = APIRouter(tags=["collaboration-projects"])


@router.get("/v1/collaboration-projects", response_model=Page[ProjectOut],
            responses=responses(KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def list_collaboration_projects(
    session: DbSession, page: Pagination, _: StaffOrEntity,
    year: Annotated[Year | None, Query(description="start year")] = None,
):
    rows, total = await paginate(session, service.project_list(year), page)
    return Page.of(await service.describe(session, rows), total, page)


@router.post("/v1/collaboration-projects", response_model=ProjectOut, status_code=201,
             responses=responses(Errors.TOO_FEW_PARTICIPANTS, Errors.UNKNOWN_ENTITY,
                                 KitErrors.PERIOD_INVERTED, KitErrors.VALIDATION_ERROR,
                                 *AUTH_ERRORS))
async def create_collaboration_project(body: ProjectIn, session: DbSession,
                                       principal: StaffOnly):
    project = await service.create(session, principal, body)
    return (await service.describe(session, [project]))[0]


@router.get("/v1/collaboration-projects/{project_id}", response_model=ProjectOut,
            responses=responses(Errors.PROJECT_NOT_FOUND, *AUTH_ERRORS),
            dependencies=[RETURNS_ETAG])
async def get_collaboration_project(project_id: uuid.UUID, response: Response,
                                    session: DbSession, _: StaffOrEntity):
    project = await service.get_project(session, project_id)
    set_etag(response, project.version)
    return (await service.describe(session, [project]))[0]


@router.patch("/v1/collaboration-projects/{project_id}", response_model=ProjectOut,
              responses=responses(Errors.PROJECT_NOT_FOUND, KitErrors.PERIOD_INVERTED,
                                  KitErrors.VALIDATION_ERROR, *AUTH_ERRORS, *IF_MATCH_ERRORS),
              dependencies=[IF_MATCH])
async def update_collaboration_project(project_id: uuid.UUID, body: ProjectPatch,
                                       request: Request, response: Response, session: DbSession,
                                       principal: StaffOnly):
    """Change the state or end date (`If-Match` required)."""
    project = await lock_for_change(session, CollaborationProject, project_id, request,
                                    what="collaboration project",
                                    not_found=Errors.PROJECT_NOT_FOUND)
    await service.follow_up(session, principal, project, body)
    set_etag(response, project.version)
    return (await service.describe(session, [project]))[0]
