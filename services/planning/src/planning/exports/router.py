"""Exports of the status overview (`.csv` / `.xlsx`) with the same filters as `GET /v1/initiatives`.

Rows are read from the database in chunks (server-side cursor) into the kit's spooled export
file, so memory stays flat.
"""


from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import responses
from dkbuza_kit.exports import FILE_RESPONSES
from dkbuza_kit.exports import FormatPath
from dkbuza_kit.exports import export_response
from dkbuza_kit.shedding import ExportSlot
from planning.errors import Errors
from planning.exports.service import HEADER
from planning.exports.service import status_overview_rows
from planning.plans.filters import InitiativeFilterParams
from planning.roles import Reader

router = APIRouter(tags=["exports"])


@router.get("/v1/exports/status-overview.{fmt}", response_class=StreamingResponse,
            responses={**FILE_RESPONSES, **responses(Errors.PERIOD_REQUIRED, *AUTH_ERRORS)})
async def export_status_overview(
    fmt: FormatPath, session: DbSession, _: Reader, _slot: ExportSlot,
    filters: InitiativeFilterParams,
    clock: ClockDep,
) -> StreamingResponse:
    """The status overview of a period (`period` is required), one row per initiative."""
    if filters.period is None:
        raise Errors.PERIOD_REQUIRED("the status overview needs a period")
    rows = status_overview_rows(session, filters, today_brussels(clock))
    return await export_response(fmt, f"status-overview-{filters.period}", "Status", HEADER,
                                 rows)
