"""Use cases for network entities, programmes and objectives."""

import uuid

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import where_given
from dkbuza_kit.timeline import check_timeline
from vsp_statistics.errors import Errors
from vsp_statistics.network.models import NetworkEntity
from vsp_statistics.network.models import Objective
from vsp_statistics.network.models import Programme
from vsp_statistics.network.schemas import EntityIn
from vsp_statistics.network.schemas import EntityPatch
from vsp_statistics.network.schemas import ObjectiveIn
from vsp_statistics.network.schemas import ProgrammeIn
from vsp_statistics.patching import apply_patch
from vsp_statistics.patching import audit_update
from vsp_statistics.roles import entity_scope


async def create_entity(session: AsyncSession, body: EntityIn) -> NetworkEntity:
    if await session.get(NetworkEntity, body.code) is not None:
        raise Errors.ENTITY_EXISTS(f"entity {body.code} already exists")
    return await add_audited(session, NetworkEntity(**body.model_dump()),
                             entity_type="network_entity", entity_id=body.code, action="created")


def changeable_entities(principal: Principal) -> Select:
    """The entity records the caller may change: VSA staff any, a network entity only its own
    (another entity's record is a 404 for a change, although the directory is readable)."""
    stmt = select(NetworkEntity)
    scope = entity_scope(principal)
    stmt = where_given(stmt, (NetworkEntity.code, scope))
    return stmt


async def update_entity(session: AsyncSession, principal: Principal, entity: NetworkEntity,
                        body: EntityPatch) -> None:
    diff = apply_patch(entity, body.changes())
    await audit_update(session, entity_type="network_entity", entity_id=entity.code, diff=diff,
                       principal=principal)


async def existing_entity(session: AsyncSession, code: str) -> NetworkEntity:
    """An entity named in a request body: unknown codes are a 422, not a 404 of the path."""
    entity = await session.get(NetworkEntity, code)
    if entity is None:
        raise Errors.UNKNOWN_ENTITY(f"no network entity with code {code}")
    return entity


def entity_list() -> Select:
    return select(NetworkEntity).order_by(NetworkEntity.code)


def programme_list() -> Select:
    return select(Programme).order_by(Programme.start_year, Programme.code)


def objective_list(programme_id: uuid.UUID | None) -> Select:
    stmt = select(Objective).order_by(Objective.code, Objective.id)
    stmt = where_given(stmt, (Objective.programme_id, programme_id))
    return stmt


async def create_programme(session: AsyncSession, body: ProgrammeIn, clock: Clock) -> Programme:
    # The government's adoption happened: not in the future.
    check_timeline("adopted_on", body.adopted_on, now=clock.now())
    if await session.scalar(select(Programme.id).where(Programme.code == body.code)):
        raise Errors.PROGRAMME_EXISTS(f"programme {body.code} already exists")
    return await add_audited(session, Programme(**body.model_dump()), entity_type="programme",
                             action="created")


async def create_objective(session: AsyncSession, body: ObjectiveIn) -> Objective:
    if await session.get(Programme, body.programme_id) is None:
        raise Errors.UNKNOWN_PROGRAMME("no programme with this id")
    duplicate = await session.scalar(select(Objective.id).where(
        Objective.programme_id == body.programme_id, Objective.code == body.code))
    if duplicate:
        raise Errors.OBJECTIVE_EXISTS(f"objective {body.code} already exists")
    return await add_audited(session, Objective(**body.model_dump()), entity_type="objective",
                             action="created")


async def get_programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    return await get_or_404(session, Programme, programme_id, what="programme")
