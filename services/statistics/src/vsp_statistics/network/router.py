"""Network entities, the programme and the objectives framework. HTTP only."""

import uuid

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

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
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from vsp_statistics.errors import Errors
from vsp_statistics.network import service
from vsp_statistics.network.models import NetworkEntity
from vsp_statistics.network.schemas import EntityIn
from vsp_statistics.network.schemas import EntityOut
from vsp_statistics.network.schemas import EntityPatch
from vsp_statistics.network.schemas import ObjectiveIn
from vsp_statistics.network.schemas import ObjectiveOut
from vsp_statistics.network.schemas import ProgrammeIn
from vsp_statistics.network.schemas import ProgrammeOut
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity

router = APIRouter(tags=["network"])
BODY = (KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)


@router.get("/v1/entities", response_model=Page[EntityOut], responses=responses(*BODY))
async def list_entities(session: DbSession, page: Pagination, _: StaffOrEntity):
    return await page_of(session, service.entity_list(), page, out=EntityOut)


@router.post("/v1/entities", response_model=EntityOut, status_code=201,
             responses=responses(Errors.ENTITY_EXISTS, *BODY))
async def create_entity(body: EntityIn, session: DbSession, _: StaffOnly):
    return await service.create_entity(session, body)


@router.get("/v1/entities/{code}", response_model=EntityOut,
            responses=responses(Errors.ENTITY_NOT_FOUND, *AUTH_ERRORS),
            dependencies=[RETURNS_ETAG])
async def get_entity(code: str, response: Response, session: DbSession, _: StaffOrEntity):
    entity = await get_or_404(session, NetworkEntity, code, what="entity",
                              error=Errors.ENTITY_NOT_FOUND)
    set_etag(response, entity.version)
    return entity


@router.patch("/v1/entities/{code}", response_model=EntityOut,
              responses=responses(Errors.ENTITY_NOT_FOUND, *BODY, *IF_MATCH_ERRORS), dependencies=[IF_MATCH])
async def update_entity(code: str, body: EntityPatch, request: Request, response: Response,
                        session: DbSession, principal: StaffOrEntity):
    """Change name or contact (`If-Match` required); an entity may update its own record."""
    entity = await lock_for_change(session, NetworkEntity, code, request, what="entity",
                                   not_found=Errors.ENTITY_NOT_FOUND,
                                   scope=service.changeable_entities(principal))
    await service.update_entity(session, principal, entity, body)
    set_etag(response, entity.version)
    return entity


@router.get("/v1/programmes", response_model=Page[ProgrammeOut], responses=responses(*BODY))
async def list_programmes(session: DbSession, page: Pagination, _: StaffOrEntity):
    return await page_of(session, service.programme_list(), page, out=ProgrammeOut)


@router.post("/v1/programmes", response_model=ProgrammeOut, status_code=201,
             responses=responses(Errors.PROGRAMME_EXISTS, KitErrors.DATE_IN_FUTURE, *BODY))
async def create_programme(body: ProgrammeIn, session: DbSession, _: StaffOnly,
                           clock: ClockDep):
    return await service.create_programme(session, body, clock)


@router.get("/v1/programmes/{programme_id}", response_model=ProgrammeOut,
            responses=responses(KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def get_programme(programme_id: uuid.UUID, session: DbSession, _: StaffOrEntity):
    return await service.get_programme(session, programme_id)


@router.get("/v1/objectives", response_model=Page[ObjectiveOut], responses=responses(*BODY))
async def list_objectives(session: DbSession, page: Pagination, _: StaffOrEntity,
                          programme_id: uuid.UUID | None = None):
    return await page_of(session, service.objective_list(programme_id), page, out=ObjectiveOut)


@router.post("/v1/objectives", response_model=ObjectiveOut, status_code=201,
             responses=responses(Errors.UNKNOWN_PROGRAMME, Errors.OBJECTIVE_EXISTS, *BODY))
async def create_objective(body: ObjectiveIn, session: DbSession, _: StaffOnly):
    return await service.create_objective(session, body)
