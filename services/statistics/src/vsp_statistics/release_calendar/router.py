"""The public release calendar (no token): `GET /v1/calendar` as JSON, CSV or iCalendar.

Shows every release whose target period overlaps [from, to] (default: today to 12 months
ahead, the pre-announced calendar; at most 3 years), cancelled ones included as cancelled,
optionally for one entity or theme. Bounded twice: by the date window and by the page
(`limit` up to 1000, default 500; `X-Total-Count` and a `Link: rel="next"` header tell a
client there is more). ETag and Last-Modified on every answer, 304 when unchanged.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Request
from fastapi.responses import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.http_cache import cached
from dkbuza_kit.http_cache import cached_json
from dkbuza_kit.types import BoundedDate
from vsp_statistics.errors import Errors
from vsp_statistics.release_calendar.formats import CSV_MEDIA_TYPE
from vsp_statistics.release_calendar.formats import ICS_MEDIA_TYPE
from vsp_statistics.release_calendar.formats import render_csv
from vsp_statistics.release_calendar.formats import render_ics
from vsp_statistics.release_calendar.schemas import CalendarItem
from vsp_statistics.release_calendar.schemas import CalendarOut
from vsp_statistics.release_calendar.service import Window
from vsp_statistics.release_calendar.service import calendar_page
from vsp_statistics.release_calendar.service import window
from vsp_statistics.settings import SettingsDep

router = APIRouter(tags=["calendar"])
CALENDAR_MAX_LIMIT = 1000
CALENDAR_DEFAULT_LIMIT = 500


class CalendarFormat(StrEnum):
    """Output format of the release calendar (publicatiekalender). Values (Dutch label):
    json (JSON), csv (CSV-bestand), ics (iCalendar-agendabestand)."""

    json = "json"
    csv = "csv"
    ics = "ics"


async def calendar_window(
    clock: ClockDep,
    date_from: Annotated[BoundedDate | None, Query(alias="from")] = None,
    date_to: Annotated[BoundedDate | None, Query(alias="to")] = None,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    theme: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=CALENDAR_MAX_LIMIT)] = CALENDAR_DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Window:
    return window(date_from, date_to, today_brussels(clock), entity=entity, theme=theme,
                  limit=limit, offset=offset)


WindowDep = Annotated[Window, Depends(calendar_window)]


def _paging_headers(request: Request, win: Window, total: int) -> dict[str, str]:
    headers = {"X-Total-Count": str(total)}
    if win.offset + win.limit < total:
        following = request.url.include_query_params(offset=win.offset + win.limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return headers


def _last_modified(items: list[CalendarItem]) -> datetime | None:
    return max((item.last_modified for item in items), default=None)


async def _render(fmt: CalendarFormat, request: Request, session: DbSession, win: Window,
                  uid_domain: str) -> Response:
    items, total = await calendar_page(session, win, uid_domain)
    headers = _paging_headers(request, win, total)
    last_modified = _last_modified(items)
    if fmt is CalendarFormat.ics:
        headers["Content-Disposition"] = 'inline; filename="vsp-calendar.ics"'
        return cached(request, render_ics(items), ICS_MEDIA_TYPE, last_modified=last_modified,
                      headers=headers)
    if fmt is CalendarFormat.csv:
        headers["Content-Disposition"] = 'inline; filename="vsp-calendar.csv"'
        return cached(request, render_csv(items).encode(), CSV_MEDIA_TYPE,
                      last_modified=last_modified, headers=headers)
    body = CalendarOut(date_from=win.start, date_to=win.end, total=total, limit=win.limit,
                       offset=win.offset, items=items)
    return cached_json(request, body.model_dump(mode="json", by_alias=True),
                       last_modified=last_modified, headers=headers)


# One URL convention for every export: JSON at the resource, files at <resource>.<ext>.
PAGE_RESPONSES = {
    304: {"description": "Not modified (If-None-Match / If-Modified-Since)"},
    **responses(Errors.INVALID_DATE_RANGE, Errors.DATE_RANGE_TOO_LONG,
                KitErrors.VALIDATION_ERROR),
}
CSV_RESPONSES = {**PAGE_RESPONSES, 200: {
    "description": "The calendar as CSV (UTF-8 with BOM)",
    "content": {"text/csv": {"schema": {"type": "string"}}}}}
ICS_RESPONSES = {**PAGE_RESPONSES, 200: {
    "description": "The calendar as iCalendar (stable UIDs, cancellations kept)",
    "content": {"text/calendar": {"schema": {"type": "string"}}}}}


@router.get("/v1/calendar", response_model=CalendarOut, responses=PAGE_RESPONSES)
async def get_calendar(request: Request, session: DbSession, win: WindowDep,
                       settings: SettingsDep) -> Response:
    """The release calendar as JSON (public, no token), one date window and page at a time."""
    return await _render(CalendarFormat.json, request, session, win,
                         settings.calendar_uid_domain)


@router.get("/v1/calendar.csv", responses=CSV_RESPONSES, response_class=Response)
async def get_calendar_csv(request: Request, session: DbSession, win: WindowDep,
                           settings: SettingsDep) -> Response:
    """The release calendar as CSV."""
    return await _render(CalendarFormat.csv, request, session, win,
                         settings.calendar_uid_domain)


@router.get("/v1/calendar.ics", responses=ICS_RESPONSES, response_class=Response)
async def get_calendar_ics(request: Request, session: DbSession, win: WindowDep,
                           settings: SettingsDep) -> Response:
    """The release calendar as iCalendar, for calendar subscriptions."""
    return await _render(CalendarFormat.ics, request, session, win,
                         settings.calendar_uid_domain)
