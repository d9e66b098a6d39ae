"""Exports of the status overview (XLSX / CSV) with the same filters as `GET /v1/initiatives`.

Rendered by the kit's exports (`dkbuza_kit.exports`): a text a reporter typed that starts with
=, +, - or @ is written as text, never as a formula.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dkbuza_kit.clock import ClockDep, today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS, responses
from dkbuza_kit.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, XlsxBook, csv_line
from planning.errors import Errors
from planning.exports.service import HEADER, status_overview_rows
from planning.plans.filters import InitiativeFilterParams
from planning.roles import Reader

router = APIRouter(tags=["exports"])


@router.get("/v1/exports/status-overview", response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}},
                       **responses(Errors.PERIOD_REQUIRED, *AUTH_ERRORS)})
async def export_status_overview(
    session: DbSession, _: Reader, filters: InitiativeFilterParams, clock: ClockDep,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    """The status overview of a period (`period` is required), one row per initiative."""
    if filters.period is None:
        raise Errors.PERIOD_REQUIRED("the status overview needs a period")
    rows = status_overview_rows(session, filters, today_brussels(clock))
    name = f"status-overview-{filters.period}"
    if format == "csv":
        lines = [csv_line(HEADER)]
        lines.extend([csv_line(row) async for row in rows])
        return Response("".join(lines), media_type=CSV_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    book = XlsxBook()
    sheet = book.sheet("Status", HEADER)
    async for row in rows:
        sheet.write(row)
    return Response(book.finish(), media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
