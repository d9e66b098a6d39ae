"""The VSP list of official statistics, behind a token: include, change, list decisions,
datasets. The public reads (`?as_of=` rebuilds the list at a past date) are in
`public_router.py`."""

import uuid

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from vsp_statistics.errors import Errors
from vsp_statistics.official_statistics import service
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.official_statistics.schemas import DatasetIn
from vsp_statistics.official_statistics.schemas import DatasetOut
from vsp_statistics.official_statistics.schemas import ListChangeIn
from vsp_statistics.official_statistics.schemas import ListChangeOut
from vsp_statistics.official_statistics.schemas import StatisticIn
from vsp_statistics.official_statistics.schemas import StatisticOut
from vsp_statistics.official_statistics.schemas import StatisticPatch
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity

router = APIRouter(tags=["official-statistics"])
FOUND = (Errors.STATISTIC_NOT_FOUND, KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)


@router.post("/v1/official-statistics", response_model=StatisticOut, status_code=201,
             responses=responses(Errors.UNKNOWN_ENTITY, Errors.STATISTIC_EXISTS,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def create_official_statistic(body: StatisticIn, session: DbSession, principal: StaffOnly,
                                    clock: ClockDep):
    statistic = await service.create_statistic(session, body, principal)
    as_of = max(today_brussels(clock), body.inclusion.effective_on)
    return (await service.describe(session, [statistic], as_of))[0]


@router.patch("/v1/official-statistics/{statistic_id}", response_model=StatisticOut,
              responses=responses(*FOUND, *IF_MATCH_ERRORS), dependencies=[IF_MATCH])
async def update_official_statistic(statistic_id: uuid.UUID, body: StatisticPatch,
                                    request: Request, response: Response, session: DbSession,
                                    principal: StaffOrEntity, clock: ClockDep):
    """Change title, theme, periodicity, description or the open datasets (`If-Match`
    required). VSA staff, or the producing entity for its own statistics."""
    statistic = await lock_for_change(session, OfficialStatistic, statistic_id, request,
                                      what="official statistic",
                                      not_found=Errors.STATISTIC_NOT_FOUND,
                                      scope=service.scoped_statistics(principal))
    await service.update_statistic(session, principal, statistic, body)
    set_etag(response, statistic.version)
    return (await service.describe(session, [statistic], today_brussels(clock)))[0]


@router.post("/v1/official-statistics/{statistic_id}/list-changes",
             response_model=ListChangeOut, status_code=201,
             responses=responses(*FOUND, Errors.LIST_CHANGE_OUT_OF_ORDER,
                                 Errors.ALREADY_ON_LIST, Errors.NOT_ON_LIST))
async def create_list_change(statistic_id: uuid.UUID, body: ListChangeIn, session: DbSession,
                             principal: StaffOnly):
    """Include the statistic on, or remove it from, the VSP list (with reason and decision)."""
    statistic = await service.get_statistic(session, principal, statistic_id, for_update=True)
    return await service.change_list(session, statistic, body, principal)


@router.post("/v1/official-statistics/{statistic_id}/datasets", response_model=DatasetOut,
             status_code=201, responses=responses(*FOUND))
async def create_dataset(statistic_id: uuid.UUID, body: DatasetIn, session: DbSession,
                         principal: StaffOrEntity):
    statistic = await service.get_statistic(session, principal, statistic_id, for_update=True)
    return await service.add_dataset(session, statistic, body, bump=True)
