"""The VSP list as the public sees it (no token; Bestuursdecreet art. III.107 §2: official
statistics are public open data): the list as of any date, one statistic with its open
datasets, and its list changes with reason and decision (no user ids). An ETag on every
answer (304 on If-None-Match)."""

import uuid

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.http_cache import cached_json
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from dkbuza_kit.pagination import paginate
from dkbuza_kit.types import BoundedDate
from vsp_statistics.errors import Errors
from vsp_statistics.official_statistics import service
from vsp_statistics.official_statistics.schemas import DatasetOut
from vsp_statistics.official_statistics.schemas import ListChangeOut
from vsp_statistics.official_statistics.schemas import Periodicity
from vsp_statistics.official_statistics.schemas import StatisticOut

router = APIRouter(tags=["official-statistics"])
NOT_FOUND = responses(Errors.STATISTIC_NOT_FOUND, KitErrors.VALIDATION_ERROR)


async def _statistic_page(request, session, statistic_id, page, query, out) -> Response:
    """One page of a sub-list (``query(statistic_id)``) of a statistic, or its 404."""
    await service.get_public_statistic(session, statistic_id)
    return cached_json(request, await page_of(session, query(statistic_id), page, out=out))


@router.get("/v1/official-statistics", response_model=Page[StatisticOut],
            responses=responses(KitErrors.VALIDATION_ERROR))
async def list_official_statistics(
    request: Request, session: DbSession, page: Pagination, clock: ClockDep,
    as_of: BoundedDate | None = None, theme: str | None = None, entity: str | None = None,
    periodicity: Periodicity | None = None,
) -> Response:
    """The statistics on the VSP list at `as_of` (default today, Europe/Brussels)."""
    as_of = as_of or today_brussels(clock)
    stmt = service.list_as_of(as_of, theme=theme, entity=entity,
                              periodicity=periodicity.value if periodicity else None)
    rows, total = await paginate(session, stmt, page)
    items = await service.describe(session, rows, as_of)
    return cached_json(request, Page.of(items, total, page))


@router.get("/v1/official-statistics/{statistic_id}", response_model=StatisticOut,
            responses=NOT_FOUND)
async def get_official_statistic(statistic_id: uuid.UUID, request: Request,
                                 session: DbSession, clock: ClockDep,
                                 as_of: BoundedDate | None = None) -> Response:
    statistic = await service.get_public_statistic(session, statistic_id)
    out = (await service.describe(session, [statistic], as_of or today_brussels(clock)))[0]
    # The version ETag: the one a PATCH names in If-Match.
    return cached_json(request, out, etag=etag(statistic.version))


@router.get("/v1/official-statistics/{statistic_id}/datasets", response_model=Page[DatasetOut],
            responses=NOT_FOUND)
async def list_datasets(statistic_id: uuid.UUID, request: Request, session: DbSession,
                        page: Pagination) -> Response:
    """The statistic's open datasets (URL, format, licence)."""
    return await _statistic_page(request, session, statistic_id, page, service.datasets,
                                 DatasetOut)


@router.get("/v1/official-statistics/{statistic_id}/list-changes",
            response_model=Page[ListChangeOut], responses=NOT_FOUND)
async def list_list_changes(statistic_id: uuid.UUID, request: Request, session: DbSession,
                            page: Pagination) -> Response:
    """Inclusions on and removals from the VSP list, with reason and decision reference."""
    return await _statistic_page(request, session, statistic_id, page, service.list_changes,
                                 ListChangeOut)
