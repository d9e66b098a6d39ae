"""Exports of the status overview (`.csv` / `.xlsx`) with the same filters as `GET /v1/initiatives`.

Rows are read from the database in chunks (server-side cursor) into the kit's spooled export
file, so memory stays flat.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.exports import FILE_RESPONSES, FormatPath, export_response
from dkbuza_kit.problems import ProblemError
from planning.plans.filters import InitiativeFilterParams, initiatives_query
from planning.plans.models import Initiative
from planning.roles import Reader

router = APIRouter(tags=["exports"])
HEADER = ["code", "title", "kind", "operational_goal", "strategic_goal", "policy_field",
          "owner_team", "status", "explanation", "corrective_action", "reported_at"]


def _row(mapping) -> list:
    initiative: Initiative = mapping[Initiative]
    return [initiative.code, initiative.title, initiative.kind, mapping["od_code"],
            mapping["sd_code"], mapping["pf_number"], initiative.owner_team,
            mapping["status"], mapping["explanation"], mapping["corrective_action"],
            mapping["reported_at"]]


@router.get("/v1/exports/status-overview.{fmt}", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_status_overview(
    fmt: FormatPath, session: DbSession, _: Reader, filters: InitiativeFilterParams,
    clock: Annotated[Clock, Depends(get_clock)],
) -> StreamingResponse:
    """The status overview of a period (`period` is required), one row per initiative."""
    if filters.period is None:
        raise ProblemError(422, "PERIOD_REQUIRED", "the status overview needs a period")
    stmt = initiatives_query(filters, today_brussels(clock))
    result = await session.stream(stmt.execution_options(yield_per=500))

    async def rows():
        async for mapping in result.mappings():
            yield _row(mapping)

    return await export_response(fmt, f"status-overview-{filters.period}", "Status", HEADER,
                                 rows())
