"""Network entities, the programme and the objectives framework."""

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from dkbuza_kit.concurrency import check_if_match, set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from vsp_statistics.roles import StaffOnly, StaffOrEntity
from vsp_statistics.common import CONDITIONAL_WRITE_RESPONSES, get_or_404, page_of
from vsp_statistics.network import service
from vsp_statistics.network.models import NetworkEntity, Objective, Programme
from vsp_statistics.network.schemas import (
    EntityIn,
    EntityOut,
    EntityPatch,
    ObjectiveIn,
    ObjectiveOut,
    ProgrammeIn,
    ProgrammeOut,
)

router = APIRouter(tags=["network"])


@router.get("/v1/entities", response_model=Page[EntityOut])
async def list_entities(session: DbSession, page: Pagination, _: StaffOrEntity):
    rows, total = await paginate(session, select(NetworkEntity).order_by(NetworkEntity.code), page)
    return page_of(rows, total, page, EntityOut)


@router.post("/v1/entities", response_model=EntityOut, status_code=201)
async def create_entity(body: EntityIn, session: DbSession, _: StaffOnly):
    return await service.create_entity(session, body)


@router.get("/v1/entities/{code}", response_model=EntityOut)
async def get_entity(code: str, response: Response, session: DbSession, _: StaffOrEntity):
    entity = await get_or_404(session, NetworkEntity, code, "entity", "ENTITY_NOT_FOUND")
    set_etag(response, entity.version)
    return entity


@router.patch("/v1/entities/{code}", response_model=EntityOut,
              responses=CONDITIONAL_WRITE_RESPONSES)
async def update_entity(code: str, body: EntityPatch, request: Request, response: Response,
                        session: DbSession, principal: StaffOrEntity):
    """Change name or contact (`If-Match` required); an entity may update its own record."""
    entity = await service.entity_for_update(session, principal, code)
    check_if_match(request, entity.version)
    await service.update_entity(session, principal, entity, body)
    set_etag(response, entity.version)
    return entity


@router.get("/v1/programmes", response_model=Page[ProgrammeOut])
async def list_programmes(session: DbSession, page: Pagination, _: StaffOrEntity):
    stmt = select(Programme).order_by(Programme.start_year, Programme.code)
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, ProgrammeOut)


@router.post("/v1/programmes", response_model=ProgrammeOut, status_code=201)
async def create_programme(body: ProgrammeIn, session: DbSession, _: StaffOnly):
    return await service.create_programme(session, body)


@router.get("/v1/programmes/{programme_id}", response_model=ProgrammeOut)
async def get_programme(programme_id: uuid.UUID, session: DbSession, _: StaffOrEntity):
    return await service.get_programme(session, programme_id)


@router.get("/v1/objectives", response_model=Page[ObjectiveOut])
async def list_objectives(session: DbSession, page: Pagination, _: StaffOrEntity,
                          programme_id: uuid.UUID | None = None):
    stmt = select(Objective).order_by(Objective.code, Objective.id)
    if programme_id is not None:
        stmt = stmt.where(Objective.programme_id == programme_id)
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, ObjectiveOut)


@router.post("/v1/objectives", response_model=ObjectiveOut, status_code=201)
async def create_objective(body: ObjectiveIn, session: DbSession, _: StaffOnly):
    return await service.create_objective(session, body)
