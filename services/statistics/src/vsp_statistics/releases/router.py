"""Releases: announcement, workflow transitions, reschedules, pre-release access, corrections."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page, Pagination, paginate
from vsp_statistics.access import StaffOrEntity
from vsp_statistics.common import get_settings, page_of
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.releases import service
from vsp_statistics.releases.models import (
    PreReleaseAccess,
    Release,
    ReleaseCorrection,
    ReleaseReschedule,
    ReleaseStatusChange,
)
from vsp_statistics.releases.schemas import (
    CorrectionIn,
    CorrectionOut,
    PreReleaseAccessIn,
    PreReleaseAccessOut,
    ReleaseIn,
    ReleaseOut,
    RescheduleIn,
    RescheduleOut,
    StatusChangeOut,
    TransitionIn,
)
from vsp_statistics.releases.workflow import ReleaseState

router = APIRouter(tags=["releases"])
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Any, Depends(get_settings)]


async def _out(session, principal, release_id, clock, settings) -> ReleaseOut:
    release, statistic = await service.get_release(session, principal, release_id)
    return service.to_out(release, statistic, today_brussels(clock), settings.calendar_uid_domain)


@router.get("/v1/releases", response_model=Page[ReleaseOut])
async def list_releases(
    session: DbSession, page: Pagination, principal: StaffOrEntity, clock: ClockDep,
    settings: SettingsDep, statistic_id: uuid.UUID | None = None, entity: str | None = None,
    state: ReleaseState | None = None, target_from: date | None = None,
    target_to: date | None = None,
):
    stmt = service.scoped_releases(principal).order_by(Release.target_first, Release.id)
    if statistic_id is not None:
        stmt = stmt.where(Release.statistic_id == statistic_id)
    if entity is not None:
        stmt = stmt.where(OfficialStatistic.entity_code == entity)
    if state is not None:
        stmt = stmt.where(Release.state == state.value)
    if target_from is not None:
        stmt = stmt.where(Release.target_last >= target_from)
    if target_to is not None:
        stmt = stmt.where(Release.target_first <= target_to)
    rows, total = await paginate(session, stmt, page, scalars=False)
    today = today_brussels(clock)
    return Page(items=[service.to_out(r, s, today, settings.calendar_uid_domain)
                       for r, s in rows], total=total, limit=page.limit, offset=page.offset)


@router.post("/v1/releases", response_model=ReleaseOut, status_code=201)
async def create_release(body: ReleaseIn, session: DbSession, principal: StaffOrEntity,
                         clock: ClockDep, settings: SettingsDep, idem: IdempotencyDep):
    """Announce a release (accepts `Idempotency-Key`)."""
    if idem.replay is not None:
        return idem.replay
    release = await service.create_release(session, principal, body, clock,
                                           settings.default_release_time)
    out = await _out(session, principal, release.id, clock, settings)
    return await idem.respond(201, out, headers={"ETag": f'"{release.version}"'})


@router.get("/v1/releases/{release_id}", response_model=ReleaseOut, dependencies=[RETURNS_ETAG])
async def get_release(release_id: uuid.UUID, response: Response, session: DbSession,
                      principal: StaffOrEntity, clock: ClockDep, settings: SettingsDep):
    out = await _out(session, principal, release_id, clock, settings)
    set_etag(response, out.version)
    return out


@router.post("/v1/releases/{release_id}/transitions", response_model=ReleaseOut, dependencies=[RETURNS_ETAG])
async def create_transition(release_id: uuid.UUID, body: TransitionIn, response: Response,
                            session: DbSession, principal: StaffOrEntity, clock: ClockDep,
                            settings: SettingsDep):
    """Move the release in its workflow; publishing early needs the audited override."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    await service.transition(session, principal, release, body, clock)
    out = await _out(session, principal, release_id, clock, settings)
    set_etag(response, out.version)
    return out


@router.get("/v1/releases/{release_id}/history", response_model=Page[StatusChangeOut])
async def list_status_history(release_id: uuid.UUID, session: DbSession, page: Pagination,
                              principal: StaffOrEntity):
    await service.get_release(session, principal, release_id)
    stmt = (select(ReleaseStatusChange).where(ReleaseStatusChange.release_id == release_id)
            .order_by(ReleaseStatusChange.id))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, StatusChangeOut)


@router.get("/v1/releases/{release_id}/reschedules", response_model=Page[RescheduleOut])
async def list_reschedules(release_id: uuid.UUID, session: DbSession, page: Pagination,
                           principal: StaffOrEntity):
    await service.get_release(session, principal, release_id)
    stmt = (select(ReleaseReschedule).where(ReleaseReschedule.release_id == release_id)
            .order_by(ReleaseReschedule.id))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, RescheduleOut)


@router.post("/v1/releases/{release_id}/reschedules", response_model=RescheduleOut,
             status_code=201)
async def create_reschedule(release_id: uuid.UUID, body: RescheduleIn, session: DbSession,
                            principal: StaffOrEntity, clock: ClockDep):
    """Move the target date: needs a reason and an approver; the first announced date stays."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await service.reschedule(session, principal, release, body, clock)


@router.get("/v1/releases/{release_id}/pre-release-access",
            response_model=Page[PreReleaseAccessOut])
async def list_pre_release_access(release_id: uuid.UUID, session: DbSession, page: Pagination,
                                  principal: StaffOrEntity):
    await service.get_release(session, principal, release_id)
    stmt = (select(PreReleaseAccess).where(PreReleaseAccess.release_id == release_id)
            .order_by(PreReleaseAccess.created_at, PreReleaseAccess.id))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, PreReleaseAccessOut)


@router.post("/v1/releases/{release_id}/pre-release-access",
             response_model=PreReleaseAccessOut, status_code=201)
async def create_pre_release_access(release_id: uuid.UUID, body: PreReleaseAccessIn,
                                    session: DbSession, principal: StaffOrEntity):
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await service.add_pre_release_access(session, principal, release, body)


@router.get("/v1/releases/{release_id}/corrections", response_model=Page[CorrectionOut])
async def list_corrections(release_id: uuid.UUID, session: DbSession, page: Pagination,
                           principal: StaffOrEntity):
    await service.get_release(session, principal, release_id)
    stmt = (select(ReleaseCorrection).where(ReleaseCorrection.release_id == release_id)
            .order_by(ReleaseCorrection.id))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, CorrectionOut)


@router.post("/v1/releases/{release_id}/corrections", response_model=CorrectionOut,
             status_code=201)
async def create_correction(release_id: uuid.UUID, body: CorrectionIn, session: DbSession,
                            principal: StaffOrEntity, clock: ClockDep):
    """Log a correction of a published release."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await service.add_correction(session, principal, release, body, clock)
