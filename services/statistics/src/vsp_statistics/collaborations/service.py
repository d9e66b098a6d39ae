"""Collaboration projects between two or more network entities (KPI: 2-3 started a year).
Start and end are planned dates (may lie ahead); the end never lies before the start."""

import uuid
from datetime import date

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import one_or_404
from dkbuza_kit.timeline import check_period
from vsp_statistics.collaborations.models import CollaborationParticipant
from vsp_statistics.collaborations.models import CollaborationProject
from vsp_statistics.collaborations.schemas import ProjectIn
from vsp_statistics.collaborations.schemas import ProjectOut
from vsp_statistics.collaborations.schemas import ProjectPatch
from vsp_statistics.errors import Errors
from vsp_statistics.network.models import NetworkEntity
from vsp_statistics.patching import apply_patch
from vsp_statistics.patching import audit_update


def project_list(year: int | None) -> Select:
    stmt = select(CollaborationProject).order_by(CollaborationProject.start_date,
                                                 CollaborationProject.id)
    if year is not None:
        stmt = stmt.where(CollaborationProject.start_date.between(date(year, 1, 1),
                                                                  date(year, 12, 31)))
    return stmt


async def describe(session: AsyncSession, projects: list[CollaborationProject]) -> list[ProjectOut]:
    members: dict = {p.id: [] for p in projects}
    if projects:
        rows = await session.execute(
            select(CollaborationParticipant.project_id, CollaborationParticipant.entity_code)
            .where(CollaborationParticipant.project_id.in_(list(members)))
            .order_by(CollaborationParticipant.entity_code))
        for project_id, code in rows:
            members[project_id].append(code)
    return [ProjectOut(id=p.id, title=p.title, entity_codes=members[p.id],
                       start_date=p.start_date, end_date=p.end_date, state=p.state,
                       version=p.version)
            for p in projects]


async def get_project(session: AsyncSession, project_id: uuid.UUID, *,
                      for_update: bool = False) -> CollaborationProject:
    stmt = select(CollaborationProject).where(CollaborationProject.id == project_id)
    return await one_or_404(session, stmt, what="collaboration project", error=Errors.PROJECT_NOT_FOUND,
                            for_update=for_update)


async def create(session: AsyncSession, principal: Principal,
                 body: ProjectIn) -> CollaborationProject:
    codes = sorted(set(body.entity_codes))
    if len(codes) < 2:
        raise Errors.TOO_FEW_PARTICIPANTS("a collaboration project has two or more different "
                                          "entities")
    check_period("start_date", body.start_date, "end_date", body.end_date)
    known = set(await session.scalars(select(NetworkEntity.code).where(
        NetworkEntity.code.in_(codes))))
    if unknown := [code for code in codes if code not in known]:
        raise Errors.UNKNOWN_ENTITY(f"unknown entities: {', '.join(unknown)}")
    project = CollaborationProject(title=body.title, start_date=body.start_date,
                                   end_date=body.end_date, state=body.state.value)
    session.add(project)
    await session.flush()
    session.add_all(CollaborationParticipant(project_id=project.id, entity_code=code)
                    for code in codes)
    await session.flush()
    await record_audit(session, entity_type="collaboration_project", entity_id=project.id,
                       action="created", to_state=project.state, data={"entities": codes},
                       actor_org=principal.org)
    return project


async def follow_up(session: AsyncSession, principal: Principal, project: CollaborationProject,
                    body: ProjectPatch) -> None:
    changes = body.changes()
    check_period("start_date", project.start_date, "end_date",
                 changes.get("end_date", project.end_date))
    diff = apply_patch(project, changes)
    await audit_update(session, entity_type="collaboration_project", entity_id=project.id,
                       diff=diff, principal=principal)
