"""Collaboration projects between two or more network entities (target: 2-3 started a year)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from dkbuza_kit.audit import record_audit
from dkbuza_kit.concurrency import check_if_match, set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from vsp_statistics.roles import StaffOnly, StaffOrEntity
from vsp_statistics.collaborations.models import CollaborationParticipant, CollaborationProject
from vsp_statistics.collaborations.schemas import ProjectIn, ProjectOut, ProjectPatch
from vsp_statistics.common import CONDITIONAL_WRITE_RESPONSES, apply_patch, audit_update
from vsp_statistics.network.models import NetworkEntity

router = APIRouter(tags=["collaboration-projects"])


async def _out(session, projects: list[CollaborationProject]) -> list[ProjectOut]:
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


@router.get("/v1/collaboration-projects", response_model=Page[ProjectOut])
async def list_collaboration_projects(
    session: DbSession, page: Pagination, _: StaffOrEntity,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="start year")] = None,
):
    stmt = select(CollaborationProject).order_by(CollaborationProject.start_date,
                                                 CollaborationProject.id)
    if year is not None:
        stmt = stmt.where(CollaborationProject.start_date.between(date(year, 1, 1),
                                                                  date(year, 12, 31)))
    rows, total = await paginate(session, stmt, page)
    return Page(items=await _out(session, rows), total=total, limit=page.limit,
                offset=page.offset)


@router.post("/v1/collaboration-projects", response_model=ProjectOut, status_code=201)
async def create_collaboration_project(body: ProjectIn, session: DbSession, _: StaffOnly):
    codes = sorted(set(body.entity_codes))
    if len(codes) < 2:
        raise ProblemError(422, "TOO_FEW_PARTICIPANTS",
                           "a collaboration project has two or more different entities")
    known = set(await session.scalars(select(NetworkEntity.code).where(
        NetworkEntity.code.in_(codes))))
    if unknown := [code for code in codes if code not in known]:
        raise ProblemError(422, "UNKNOWN_ENTITY", f"unknown entities: {', '.join(unknown)}")
    project = CollaborationProject(title=body.title, start_date=body.start_date,
                                   end_date=body.end_date, state=body.state.value)
    session.add(project)
    await session.flush()
    session.add_all(CollaborationParticipant(project_id=project.id, entity_code=code)
                    for code in codes)
    await session.flush()
    await record_audit(session, entity_type="collaboration_project", entity_id=project.id,
                       action="created", to_state=project.state, data={"entities": codes})
    return (await _out(session, [project]))[0]


async def _project(session, project_id: uuid.UUID, *, for_update: bool = False):
    stmt = select(CollaborationProject).where(CollaborationProject.id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    project = await session.scalar(stmt)
    if project is None:
        raise ProblemError(404, "PROJECT_NOT_FOUND", "collaboration project not found")
    return project


@router.get("/v1/collaboration-projects/{project_id}", response_model=ProjectOut)
async def get_collaboration_project(project_id: uuid.UUID, response: Response,
                                    session: DbSession, _: StaffOrEntity):
    project = await _project(session, project_id)
    set_etag(response, project.version)
    return (await _out(session, [project]))[0]


@router.patch("/v1/collaboration-projects/{project_id}", response_model=ProjectOut,
              responses=CONDITIONAL_WRITE_RESPONSES)
async def update_collaboration_project(project_id: uuid.UUID, body: ProjectPatch,
                                       request: Request, response: Response, session: DbSession,
                                       principal: StaffOnly):
    """Change the state or end date (`If-Match` required)."""
    project = await _project(session, project_id, for_update=True)
    check_if_match(request, project.version)
    changes = body.changes()
    end_date = changes.get("end_date", project.end_date)
    if end_date is not None and end_date < project.start_date:
        raise ProblemError(422, "END_BEFORE_START",
                           f"the end date {end_date} is before the start {project.start_date}")
    diff = apply_patch(project, changes)
    await audit_update(session, entity_type="collaboration_project", entity_id=project.id,
                       diff=diff, principal=principal)
    set_etag(response, project.version)
    return (await _out(session, [project]))[0]
