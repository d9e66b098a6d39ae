"""Releases as the public sees them (no token): the list, one release, its approved
reschedules and its change log. Only public fields: no user ids, no pre-release access list,
no pending change requests. ETag and Last-Modified on every answer (304 when unchanged)."""

import uuid

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
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
from vsp_statistics.releases import changes
from vsp_statistics.releases import queries
from vsp_statistics.releases import service
from vsp_statistics.releases.schemas import ChangeLogEntry
from vsp_statistics.releases.schemas import ReleaseOut
from vsp_statistics.releases.schemas import RescheduleOut
from vsp_statistics.releases.workflow import ReleaseState
from vsp_statistics.settings import SettingsDep

router = APIRouter(tags=["releases"])
NOT_FOUND = responses(Errors.RELEASE_NOT_FOUND, KitErrors.VALIDATION_ERROR)


@router.get("/v1/releases", response_model=Page[ReleaseOut],
            responses=responses(KitErrors.VALIDATION_ERROR))
async def list_releases(
    request: Request, session: DbSession, page: Pagination, clock: ClockDep,
    settings: SettingsDep, statistic_id: uuid.UUID | None = None, entity: str | None = None,
    state: ReleaseState | None = None, target_from: BoundedDate | None = None,
    target_to: BoundedDate | None = None,
) -> Response:
    """Every announced release (public), by target date; filters combine."""
    stmt = queries.releases(statistic_id=statistic_id, entity=entity,
                            state=state.value if state else None, target_from=target_from,
                            target_to=target_to)
    rows, total = await paginate(session, stmt, page, scalars=False)
    today = today_brussels(clock)
    items = [service.to_out(r, s, today, settings.calendar_uid_domain) for r, s in rows]
    return cached_json(request, Page.of(items, total, page),
                       last_modified=max((r.updated_at for r, _ in rows), default=None))


@router.get("/v1/releases/{release_id}", response_model=ReleaseOut, responses=NOT_FOUND)
async def get_release(release_id: uuid.UUID, request: Request, session: DbSession,
                      clock: ClockDep, settings: SettingsDep) -> Response:
    release, statistic = await service.get_public_release(session, release_id)
    out = service.to_out(release, statistic, today_brussels(clock), settings.calendar_uid_domain)
    return cached_json(request, out, last_modified=release.updated_at)


@router.get("/v1/releases/{release_id}/reschedules", response_model=Page[RescheduleOut],
            responses=NOT_FOUND)
async def list_reschedules(release_id: uuid.UUID, request: Request, session: DbSession,
                           page: Pagination) -> Response:
    """The approved date changes with their reason (old and new target)."""
    release, _ = await service.get_public_release(session, release_id)
    return cached_json(request, await page_of(session, queries.reschedules(release_id), page,
                                              out=RescheduleOut),
                       last_modified=release.updated_at)


@router.get("/v1/releases/{release_id}/changes", response_model=Page[ChangeLogEntry],
            responses=NOT_FOUND)
async def list_changes(release_id: uuid.UUID, request: Request, session: DbSession,
                       page: Pagination) -> Response:
    """The public change log: announced, rescheduled, cancelled, published, corrected."""
    release, _ = await service.get_public_release(session, release_id)
    entries = await changes.change_log(session, release_id)
    window = entries[page.offset:page.offset + page.limit]
    return cached_json(request, Page.of(window, len(entries), page),
                       last_modified=release.updated_at)
