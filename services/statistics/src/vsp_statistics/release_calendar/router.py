"""The public release calendar (no token): `GET /v1/calendar` (JSON), `/v1/calendar.csv` and
`/v1/calendar.ics` (the kit's export convention: files at the resource path plus extension).

Shows every non-cancelled release whose target period overlaps [from, to] (default: today to
12 months ahead, the pre-announced calendar), optionally for one entity or theme.
"""

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.dates import PartialDate, add_months
from dkbuza_kit.db import DbSession
from dkbuza_kit.problems import ProblemError
from vsp_statistics.network.models import NetworkEntity
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.release_calendar.formats import (
    CSV_MEDIA_TYPE,
    ICS_MEDIA_TYPE,
    CalendarItem,
    CalendarOut,
    render_csv,
    render_ics,
)
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.service import release_uid, scheduled_moment
from vsp_statistics.releases.workflow import ReleaseState

router = APIRouter(tags=["calendar"])
MAX_RANGE = timedelta(days=3 * 366)


class CalendarFormat(StrEnum):
    """Output format of the release calendar (publicatiekalender), chosen by the path."""

    json = "json"
    csv = "csv"
    ics = "ics"


class CalendarQuery:
    def __init__(
        self,
        date_from: Annotated[date | None, Query(alias="from")] = None,
        date_to: Annotated[date | None, Query(alias="to")] = None,
        entity: Annotated[str | None, Query(max_length=40)] = None,
        theme: Annotated[str | None, Query(max_length=100)] = None,
    ) -> None:
        self.date_from = date_from
        self.date_to = date_to
        self.entity = entity
        self.theme = theme


async def _items(session: AsyncSession, query: CalendarQuery, today: date,
                 uid_domain: str) -> tuple[date, date, list[CalendarItem]]:
    start = query.date_from or today
    end = query.date_to or add_months(start, 12)
    if end < start:
        raise ProblemError(422, "INVALID_DATE_RANGE", "`to` lies before `from`")
    if end - start > MAX_RANGE:
        raise ProblemError(422, "DATE_RANGE_TOO_LONG", "the range may span at most 3 years")
    stmt = (
        select(Release, OfficialStatistic, NetworkEntity)
        .join(OfficialStatistic, OfficialStatistic.id == Release.statistic_id)
        .join(NetworkEntity, NetworkEntity.code == OfficialStatistic.entity_code)
        .where(Release.state != ReleaseState.cancelled.value,
               Release.target_last >= start, Release.target_first <= end)
        .order_by(Release.target_first, Release.release_time, OfficialStatistic.code, Release.id)
    )
    if query.entity is not None:
        stmt = stmt.where(OfficialStatistic.entity_code == query.entity)
    if query.theme is not None:
        stmt = stmt.where(OfficialStatistic.theme == query.theme)
    items = []
    for release, statistic, entity in (await session.execute(stmt)).all():
        target = PartialDate.parse(release.target)
        items.append(CalendarItem(
            uid=release_uid(release.id, uid_domain), release_id=str(release.id),
            statistic_code=statistic.code, statistic_title=statistic.title,
            entity_code=entity.code, entity_name=entity.name, theme=statistic.theme,
            reference_period=release.reference_period, vintage=release.vintage,
            target=release.target, date_precision=target.precision,
            exact_date=target.first if release.target_precision == "day" else None,
            period_first=target.first, period_last=target.last,
            release_time=release.release_time, scheduled_at=scheduled_moment(release),
            state=release.state, first_announced_target=release.first_announced_target,
            rescheduled=release.reschedule_count > 0, published_at=release.published_at,
            sequence=release.version - 1,
        ))
    return start, end, items


async def _render(fmt: CalendarFormat, request: Request, session: AsyncSession,
                  query: CalendarQuery, clock: Clock) -> Response:
    settings = request.app.state.settings
    start, end, items = await _items(session, query, today_brussels(clock),
                                     settings.calendar_uid_domain)
    if fmt is CalendarFormat.ics:
        return Response(render_ics(items, clock.now()), media_type=ICS_MEDIA_TYPE,
                        headers={"Content-Disposition": 'inline; filename="vsp-calendar.ics"'})
    if fmt is CalendarFormat.csv:
        return Response(render_csv(items), media_type=CSV_MEDIA_TYPE,
                        headers={"Content-Disposition": 'inline; filename="vsp-calendar.csv"'})
    body = CalendarOut(date_from=start, date_to=end, items=items)
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


CSV_RESPONSES = {200: {"description": "The calendar as CSV (UTF-8 with BOM)",
                      "content": {"text/csv": {"schema": {"type": "string"}}}}}
ICS_RESPONSES = {200: {"description": "The calendar as iCalendar (stable UIDs)",
                      "content": {"text/calendar": {"schema": {"type": "string"}}}}}
ClockDep = Annotated[Clock, Depends(get_clock)]
QueryDep = Annotated[CalendarQuery, Depends()]


@router.get("/v1/calendar", response_model=CalendarOut)
async def get_calendar(request: Request, session: DbSession, query: QueryDep,
                       clock: ClockDep) -> Response:
    """The release calendar as JSON (public, no token)."""
    return await _render(CalendarFormat.json, request, session, query, clock)


@router.get("/v1/calendar.csv", responses=CSV_RESPONSES, response_class=Response)
async def get_calendar_csv(request: Request, session: DbSession, query: QueryDep,
                           clock: ClockDep) -> Response:
    """The release calendar as CSV."""
    return await _render(CalendarFormat.csv, request, session, query, clock)


@router.get("/v1/calendar.ics", responses=ICS_RESPONSES, response_class=Response)
async def get_calendar_ics(request: Request, session: DbSession, query: QueryDep,
                           clock: ClockDep) -> Response:
    """The release calendar as iCalendar, for calendar subscriptions."""
    return await _render(CalendarFormat.ics, request, session, query, clock)
