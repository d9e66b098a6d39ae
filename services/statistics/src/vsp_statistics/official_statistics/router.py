"""The VSP list of official statistics (`?as_of=` rebuilds the list at a past date)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.concurrency import check_if_match, set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.openapi import IF_MATCH, RETURNS_ETAG
from dkbuza_kit.pagination import Page, Pagination, paginate
from vsp_statistics.access import StaffOnly, StaffOrEntity
from vsp_statistics.common import CONDITIONAL_WRITE_RESPONSES, bump_version, page_of
from vsp_statistics.official_statistics import service
from vsp_statistics.official_statistics.models import ListChange, OfficialStatistic
from vsp_statistics.official_statistics.schemas import (
    DatasetIn,
    DatasetOut,
    ListChangeIn,
    ListChangeOut,
    Periodicity,
    StatisticIn,
    StatisticOut,
    StatisticPatch,
)

router = APIRouter(tags=["official-statistics"])
ClockDep = Annotated[Clock, Depends(get_clock)]


@router.get("/v1/official-statistics", response_model=Page[StatisticOut])
async def list_official_statistics(
    session: DbSession, page: Pagination, principal: StaffOrEntity, clock: ClockDep,
    as_of: date | None = None, theme: str | None = None, entity: str | None = None,
    periodicity: Periodicity | None = None,
):
    """The statistics on the VSP list at `as_of` (default today, Europe/Brussels)."""
    as_of = as_of or today_brussels(clock)
    stmt = (service.scoped_statistics(principal)
            .where(OfficialStatistic.id.in_(service.on_list_as_of(as_of)))
            .order_by(OfficialStatistic.code))
    if theme is not None:
        stmt = stmt.where(OfficialStatistic.theme == theme)
    if entity is not None:
        stmt = stmt.where(OfficialStatistic.entity_code == entity)
    if periodicity is not None:
        stmt = stmt.where(OfficialStatistic.periodicity == periodicity.value)
    rows, total = await paginate(session, stmt, page)
    return Page(items=await service.describe(session, rows, as_of), total=total,
                limit=page.limit, offset=page.offset)


@router.post("/v1/official-statistics", response_model=StatisticOut, status_code=201)
async def create_official_statistic(body: StatisticIn, session: DbSession, principal: StaffOnly,
                                    clock: ClockDep):
    statistic = await service.create_statistic(session, body, principal)
    as_of = max(today_brussels(clock), body.inclusion.effective_on)
    return (await service.describe(session, [statistic], as_of))[0]


@router.get("/v1/official-statistics/{statistic_id}", response_model=StatisticOut,
            dependencies=[RETURNS_ETAG])
async def get_official_statistic(statistic_id: uuid.UUID, response: Response,
                                 session: DbSession, principal: StaffOrEntity, clock: ClockDep,
                                 as_of: date | None = None):
    statistic = await service.get_statistic(session, principal, statistic_id)
    set_etag(response, statistic.version)
    return (await service.describe(session, [statistic], as_of or today_brussels(clock)))[0]


@router.patch("/v1/official-statistics/{statistic_id}", response_model=StatisticOut,
              responses=CONDITIONAL_WRITE_RESPONSES, dependencies=[IF_MATCH])
async def update_official_statistic(statistic_id: uuid.UUID, body: StatisticPatch,
                                    request: Request, response: Response, session: DbSession,
                                    principal: StaffOrEntity, clock: ClockDep):
    """Change title, theme, periodicity, description or the open datasets (`If-Match`
    required). VSA staff, or the producing entity for its own statistics."""
    statistic = await service.get_statistic(session, principal, statistic_id, for_update=True)
    check_if_match(request, statistic.version)
    await service.update_statistic(session, principal, statistic, body)
    set_etag(response, statistic.version)
    return (await service.describe(session, [statistic], today_brussels(clock)))[0]


@router.get("/v1/official-statistics/{statistic_id}/list-changes",
            response_model=Page[ListChangeOut])
async def list_list_changes(statistic_id: uuid.UUID, session: DbSession, page: Pagination,
                            principal: StaffOrEntity):
    await service.get_statistic(session, principal, statistic_id)
    stmt = (select(ListChange).where(ListChange.statistic_id == statistic_id)
            .order_by(ListChange.effective_on, ListChange.id))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, ListChangeOut)


@router.post("/v1/official-statistics/{statistic_id}/list-changes",
             response_model=ListChangeOut, status_code=201)
async def create_list_change(statistic_id: uuid.UUID, body: ListChangeIn, session: DbSession,
                             principal: StaffOnly):
    """Include the statistic on, or remove it from, the VSP list (with reason and decision)."""
    statistic = await service.get_statistic(session, principal, statistic_id, for_update=True)
    bump_version(statistic)
    return await service.change_list(session, statistic, body, principal)


@router.post("/v1/official-statistics/{statistic_id}/datasets", response_model=DatasetOut,
             status_code=201)
async def create_dataset(statistic_id: uuid.UUID, body: DatasetIn, session: DbSession,
                         principal: StaffOrEntity):
    statistic = await service.get_statistic(session, principal, statistic_id, for_update=True)
    bump_version(statistic)
    return await service.add_dataset(session, statistic, body)
